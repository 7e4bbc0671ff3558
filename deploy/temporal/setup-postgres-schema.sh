#!/bin/sh
# One-shot (temporalio/admin-tools): Temporal's persistence and visibility databases on PostgreSQL,
# created if missing and migrated to the schema of the admin-tools' version (keep it equal to the
# server's). Safe to run again: existing databases and applied versions are left as they are.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12
for DATABASE in temporal temporal_visibility; do
  case "$DATABASE" in
    temporal) VERSIONED="$SCHEMA_ROOT/temporal/versioned" ;;
    *) VERSIONED="$SCHEMA_ROOT/visibility/versioned" ;;
  esac
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p 5432 "$@"; }
  sql --db "$DATABASE" create
  sql --db "$DATABASE" setup-schema -v 0.0
  sql --db "$DATABASE" update-schema -d "$VERSIONED"
done
echo "Temporal schema is up to date"
