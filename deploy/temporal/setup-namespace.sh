#!/bin/sh
# One-shot (temporalio/admin-tools, the `temporal` CLI): waits for the server, creates the namespace
# if it is missing, then the workflow's search attributes (creating existing ones is a no-op).
set -eu
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}

# Runs "$@" until it succeeds, 30 times at most, 2 s apart.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 30 ]; then
      echo "gave up after $attempt attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry temporal operator cluster health --address "$ADDRESS"
temporal operator namespace describe --address "$ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$ADDRESS" -n "$NAMESPACE" --retention "${NAMESPACE_RETENTION:-30d}"
# A namespace just created reaches every frontend's cache within seconds: until then it is "not found".
retry temporal operator search-attribute create --address "$ADDRESS" -n "$NAMESPACE" \
  --name SignatureStatus --type Keyword \
  --name UniversignState --type Keyword \
  --name SageDocument --type Keyword
echo "Namespace $NAMESPACE is ready with SignatureStatus, UniversignState, SageDocument"
