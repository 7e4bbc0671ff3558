/**
 * An outage of the simulated Universign REST API, for fault tests: during the window every /v1
 * call (the public JWKS excepted: receivers cache it, and webhooks keep coming as they do when
 * only Universign's API is down) is answered with an error status, or left hanging until the
 * window ends, when its connection is dropped. The window ends after its duration or on end().
 */
import type { ServerResponse } from 'node:http';
import { invalid } from './universign-simulator-error';

export interface OutageInput {
  /** `error`: answer `status` at once; `hang`: never answer while the window lasts. */
  mode: 'error' | 'hang';
  /** HTTP status of `error` answers (500–599); default 500. */
  status?: number;
  /** Window length; without it the outage lasts until end(). */
  durationMs?: number;
}

export interface OutageState {
  mode: 'error' | 'hang';
  status: number;
  endsAt: string | null;
  /** Calls answered with an error or held so far in this window. */
  affected: number;
}

export class SimulatedOutage {
  private current: OutageState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly held = new Set<ServerResponse>();

  start(input: OutageInput, now: Date): OutageState {
    if (input.mode !== 'error' && input.mode !== 'hang') throw invalid('mode must be "error" or "hang"');
    const status = input.status ?? 500;
    if (!Number.isInteger(status) || status < 500 || status > 599) throw invalid('status must be a 5xx HTTP status');
    const { durationMs } = input;
    if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs <= 0))
      throw invalid('duration_ms must be a positive number');
    this.end();
    this.current = {
      mode: input.mode,
      status,
      endsAt: durationMs === undefined ? null : new Date(now.getTime() + durationMs).toISOString(),
      affected: 0,
    };
    if (durationMs !== undefined) {
      this.timer = setTimeout(() => this.end(), durationMs);
      this.timer.unref();
    }
    return { ...this.current };
  }

  state(): OutageState | null {
    return this.current ? { ...this.current } : null;
  }

  /** Ends the window: held calls lose their connection (as a timed-out call does for its client). */
  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  /** true when the outage took the call (answered or held). */
  intercept(res: ServerResponse): boolean {
    const outage = this.current;
    if (!outage) return false;
    outage.affected += 1;
    if (outage.mode === 'hang') {
      this.held.add(res);
      res.once('close', () => this.held.delete(res));
      return true;
    }
    const text = JSON.stringify({ error: 'simulated_outage', message: `simulated outage: HTTP ${outage.status}` });
    res.writeHead(outage.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }
}
