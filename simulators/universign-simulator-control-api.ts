/**
 * The simulator's control API under /_control: an unauthenticated JSON API that tests and demos
 * use to create transactions in any state, act as signers (sign, refuse), expire, force a state,
 * inject API failures (per transaction, or an outage of the whole API during a window), and read
 * or clear the API request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateSimulatedTransactionInput, ForceStateInput } from './simulated-transaction';
import type { SimulatorRequestLogEntry } from './universign-simulator-api-handler';
import { invalid, SimulatorError } from './universign-simulator-error';
import { findRoute, need, type Route, readBody, sendJson } from './universign-simulator-http';
import type { OutageInput, SimulatedOutage } from './universign-simulator-outage';
import type { UniversignSimulatorStore } from './universign-simulator-store';

interface ControlContext {
  body: Record<string, unknown>;
  res: ServerResponse;
}

/** Handles one /_control request; `requestLog` is the API request log the simulator keeps. */
export function createControlHandler(
  store: UniversignSimulatorStore,
  requestLog: SimulatorRequestLogEntry[],
  outage: SimulatedOutage,
  clock: () => Date,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const controlRoutes: Array<Route<ControlContext>> = [
    {
      method: 'POST',
      pattern: '/_control/transactions',
      handle({ body, res }) {
        const transaction = store.createDirect(body as CreateSimulatedTransactionInput);
        sendJson(res, 200, { id: transaction.id, transaction: store.toJson(transaction) });
      },
    },
    {
      method: 'GET',
      pattern: '/_control/transactions',
      handle({ res }) {
        sendJson(
          res,
          200,
          store.list().map(({ id, state, stalled }) => ({ id, state, stalled })),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/_control/transactions/:tx',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.get(need(tx)));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/sign',
      handle({ body, res }, { tx }) {
        sendJson(res, 200, store.sign(need(tx), bodyString(body, 'email')));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/refuse',
      handle({ body, res }, { tx }) {
        const reason = body.reason === undefined ? undefined : bodyString(body, 'reason');
        sendJson(res, 200, store.refuse(need(tx), bodyString(body, 'email'), reason));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/expire',
      handle: ({ res }, { tx }) => sendJson(res, 200, store.expire(need(tx))),
    },
    { method: 'POST', pattern: '/_control/transactions/:tx/start', handle: ({ res }, { tx }) => sendJson(res, 200, store.start(need(tx))) },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/cancel',
      handle: ({ res }, { tx }) => sendJson(res, 200, store.cancel(need(tx))),
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/state',
      handle({ body, res }, { tx }) {
        const input: ForceStateInput = { state: bodyString(body, 'state') };
        if (body.stalled !== undefined) {
          if (typeof body.stalled !== 'boolean') throw invalid('stalled must be a boolean');
          input.stalled = body.stalled;
        }
        if (body.stalled_reason !== undefined) {
          if (body.stalled_reason !== null && typeof body.stalled_reason !== 'string') {
            throw invalid('stalled_reason must be a string or null');
          }
          input.stalledReason = body.stalled_reason;
        }
        sendJson(res, 200, store.forceState(need(tx), input));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/fail',
      handle({ body, res }, { tx }) {
        store.failNext(need(tx), Number(body.status), body.times === undefined ? 1 : Number(body.times));
        sendJson(res, 200, store.get(need(tx)));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/outage',
      handle({ body, res }) {
        const input: OutageInput = { mode: bodyString(body, 'mode') as OutageInput['mode'] };
        if (body.status !== undefined) input.status = Number(body.status);
        if (body.duration_ms !== undefined) input.durationMs = Number(body.duration_ms);
        sendJson(res, 200, outage.start(input, clock()));
      },
    },
    { method: 'GET', pattern: '/_control/outage', handle: ({ res }) => sendJson(res, 200, outage.state()) },
    {
      method: 'DELETE',
      pattern: '/_control/outage',
      handle({ res }) {
        outage.end();
        sendJson(res, 200, { ended: true });
      },
    },
    { method: 'GET', pattern: '/_control/requests', handle: ({ res }) => sendJson(res, 200, requestLog) },
    {
      method: 'DELETE',
      pattern: '/_control/requests',
      handle({ res }) {
        requestLog.length = 0;
        sendJson(res, 200, { cleared: true });
      },
    },
  ];

  return async (req, res, path) => {
    const raw = (await readBody(req)).toString('utf8');
    let body: Record<string, unknown> = {};
    if (raw.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw invalid('control body must be JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('control body must be a JSON object');
      body = parsed as Record<string, unknown>;
    }
    const route = findRoute(controlRoutes, req.method, path);
    if (!route) throw new SimulatorError(404, 'not_found', `no route ${req.method} ${path}`);
    await route.route.handle({ body, res }, route.params);
  };
}

function bodyString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw invalid(`${key} is required`);
  return value;
}
