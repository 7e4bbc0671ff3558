/**
 * Universign's webhook verification keys, read from its public JWKS
 * (`{api base}/webhooks/jwks.json`). The set is cached because it rarely changes, and refetched
 * when a signature names a `kid` the cache lacks, because that is how a key rotation shows up.
 * Fetches are single-flight and at least `cooldownMs` apart, so a flood of forged kids cannot turn
 * into a flood of requests to Universign; a failed refresh keeps serving the keys already held.
 *
 * Built on jose's createLocalJWKSet for key selection and import (kid, alg, use, key_ops checks);
 * this file only owns fetching and caching. jose's createRemoteJWKSet was not used: it measures its
 * cooldown from the last *successful* fetch (so a failing endpoint is hit on every unknown kid) and
 * drops to errors as soon as the cache is older than its max age while the endpoint is down.
 */
import { type CryptoKey, createLocalJWKSet, errors, type FlattenedJWSInput, type JWSHeaderParameters, type LocalJWKSet } from 'jose';
import pino from 'pino';

/** What the key set logs: each failed fetch, once, however many verifications waited on it. */
export interface KeySetLogger {
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface UniversignKeySetOptions {
  jwksUrl: string | URL;
  fetch?: typeof globalThis.fetch;
  /** A fetched set is used this long before it is refreshed (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Minimum time between two fetch attempts, successful or not (default 30 s). */
  cooldownMs?: number;
  /** Timeout of one fetch (default 5 s). */
  timeoutMs?: number;
  /** Milliseconds clock; tests move it to cross the cache age and the cooldown. */
  now?: () => number;
  /** Default: a pino logger on stdout. */
  log?: KeySetLogger;
}

/** A key resolver for jose's verify functions (`flattenedVerify(jws, keySet, …)`). */
export interface UniversignKeySet {
  (protectedHeader: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey>;
  /** Fetches the set now, regardless of cache age and cooldown (e.g. a warm-up at start). */
  reload(): Promise<void>;
}

/** The JWKS could not be fetched or read: not the sender's fault, so the caller should ask for a retry. */
export class UniversignKeySetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UniversignKeySetUnavailableError';
  }
}

const DEFAULT_CACHE_MAX_AGE_MS = 10 * 60_000;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 5_000;

export function createUniversignKeySet(options: UniversignKeySetOptions): UniversignKeySet {
  const url = new URL(options.jwksUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cacheMaxAgeMs = nonNegative(options.cacheMaxAgeMs, DEFAULT_CACHE_MAX_AGE_MS, 'cacheMaxAgeMs');
  const cooldownMs = nonNegative(options.cooldownMs, DEFAULT_COOLDOWN_MS, 'cooldownMs');
  const timeoutMs = nonNegative(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const now = options.now ?? Date.now;
  const log = options.log ?? pino({ name: 'universign-jwks' });

  let keys: LocalJWKSet | null = null;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | null = null;
  // Whether the latest attempt failed: an unknown kid then may be a key we could not fetch.
  let lastAttemptFailed = false;

  const coolingDown = () => now() - attemptedAt < cooldownMs;

  function reload(): Promise<void> {
    if (pending) return pending;
    attemptedAt = now();
    const current = fetchKeySet(url, fetchImpl, timeoutMs, log).then(
      (fetched) => {
        keys = fetched;
        fetchedAt = now();
        lastAttemptFailed = false;
      },
      (err: unknown) => {
        lastAttemptFailed = true;
        log.warn(
          { jwksUrl: url.href, err: describeError(err) },
          'Universign JWKS fetch failed; the keys already held (if any) stay in use',
        );
        throw err;
      },
    );
    pending = current;
    // Cleared whatever the outcome, so the next attempt (after the cooldown) starts a new fetch.
    const clear = () => {
      if (pending === current) pending = null;
    };
    void current.then(clear, clear);
    return current;
  }

  /** Joins a fetch in flight, or starts one unless the cooldown forbids it; true when a fetch ran. */
  async function refreshIfAllowed(): Promise<boolean> {
    if (pending) {
      await pending;
      return true;
    }
    if (coolingDown()) return false;
    await reload();
    return true;
  }

  async function resolve(protectedHeader: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey> {
    // Universign always names its key; without a kid there is nothing to look up (and no refetch to earn).
    if (typeof protectedHeader.kid !== 'string' || protectedHeader.kid === '') throw new errors.JWKSNoMatchingKey();

    if (keys === null) {
      if (!(await refreshIfAllowed())) {
        throw new UniversignKeySetUnavailableError(`Universign JWKS not loaded yet (last fetch of ${url.href} failed)`);
      }
    } else if (now() - fetchedAt >= cacheMaxAgeMs) {
      // Stale but usable: an unreachable endpoint must not stop verification with keys we hold.
      // Its failure is logged by reload(), once per fetch attempt rather than once per waiting request.
      await refreshIfAllowed().catch((err: unknown) => log.debug({ err: describeError(err) }, 'verifying with the stale JWKS'));
    }
    const loaded = keys as LocalJWKSet | null;
    if (loaded === null) throw new UniversignKeySetUnavailableError(`Universign JWKS not loaded from ${url.href}`);

    try {
      return await loaded(protectedHeader, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
    }
    // An unknown kid: Universign may have rotated its key since our last fetch.
    if (!(await refreshIfAllowed())) {
      if (lastAttemptFailed) throw new UniversignKeySetUnavailableError(`Universign JWKS at ${url.href} could not be refreshed`);
      throw new errors.JWKSNoMatchingKey();
    }
    const refreshed = keys as LocalJWKSet | null;
    if (refreshed === null) throw new errors.JWKSNoMatchingKey();
    return refreshed(protectedHeader, token);
  }

  return Object.assign(resolve, { reload });
}

async function fetchKeySet(url: URL, fetchImpl: typeof globalThis.fetch, timeoutMs: number, log: KeySetLogger): Promise<LocalJWKSet> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      // A redirect of a key endpoint is not followed: keys come from the configured URL only.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new UniversignKeySetUnavailableError(`Universign JWKS request to ${url.href} failed`, { cause });
  }
  if (response.status !== 200) {
    // Only frees the connection sooner; the status is the error reported below.
    await response.body
      ?.cancel()
      .catch((err: unknown) => log.debug({ jwksUrl: url.href, err: describeError(err) }, 'cannot discard the JWKS error body'));
    throw new UniversignKeySetUnavailableError(`Universign JWKS at ${url.href} answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new UniversignKeySetUnavailableError(`Universign JWKS at ${url.href} is not JSON`, { cause });
  }
  try {
    return createLocalJWKSet(body as Parameters<typeof createLocalJWKSet>[0]);
  } catch (cause) {
    throw new UniversignKeySetUnavailableError(`Universign JWKS at ${url.href} is not a JSON Web Key Set`, { cause });
  }
}

/** The error and its cause, on one line. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a finite number ≥ 0`);
  return value;
}
