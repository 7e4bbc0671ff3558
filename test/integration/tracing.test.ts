/**
 * OpenTelemetry traces (shared/tracing.ts): the worker and the API, run as processes with OTEL_EXPORTER_OTLP_ENDPOINT
 * pointing at an OTLP/HTTP receiver on loopback, export spans that make one trace from Universign's webhook
 * (the API's server span) through its signalWithStart, the workflow and its activity to the Sage gateway's
 * call that converts the signed quote; without the variable no exporter is started.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { startTracing } from '../../shared/tracing';
import { sageDocumentMetadata } from '../../workflows/sage-document-metadata';
import { type ReplicaStack, startReplicaStack } from '../support/start-replica-stack';
import { waitUntil } from '../support/wait-until';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** OTLP's span kinds (the JSON encoding's numbers). */
const SERVER = 2;
const CLIENT = 3;

let receiver: Server;
let endpoint: string;
const spans: ReceivedSpan[] = [];
let stack: ReplicaStack | undefined;

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) spans.push(...parseSpans(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

after(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT no exporter starts and spans are the no-op', async () => {
  assert.equal(startTracing('universign-sync-test', {}), null);
  const span = trace.getTracer('test').startSpan('untraced');
  assert.equal(span.isRecording(), false);
  span.end();
});

test('with it, a process exports its spans as OTLP/HTTP JSON, flushed on shutdown', async () => {
  const tracing = startTracing('universign-sync-test', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  assert.ok(tracing);
  trace.getTracer('test').startSpan('flushed on shutdown').end();
  await tracing.shutdown();
  const span = spans.find((received) => received.name === 'flushed on shutdown');
  assert.equal(span?.service, 'universign-sync-test');
});

test('one trace links the webhook request to the Sage call converting the signed quote', { timeout: 60_000 }, async () => {
  stack = await startReplicaStack({ name: 'tracing', replicas: 1, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
  stack.sage.seedDocument({ type: 'devis', number: 'T0001', status: 'en_cours' });
  // Created at Universign with its Sage document in metadata: the webhook's signalWithStart starts the workflow.
  const transaction = stack.universign.createTransaction({
    name: 'Devis T0001',
    metadata: sageDocumentMetadata({ type: 'devis', number: 'T0001' }),
    signers: [{ email: 'client.t0001@example.com', fullName: 'Client T0001' }],
  });
  stack.universign.sign(transaction.id, 'client.t0001@example.com');
  await waitUntil(() => stack?.sage.orders().some((order) => order.from.number === 'T0001') ?? false, 'the Sage order of T0001', 30_000);

  const isSageConvertCall = (span: ReceivedSpan) =>
    span.kind === CLIENT && /\/documents\/devis\/T0001\/(transform|free-fields)$/.test(String(span.attributes['url.path']));
  let chain: ReceivedSpan[] = [];
  await waitUntil(
    () => {
      const sageCall = spans.find(isSageConvertCall);
      chain = sageCall ? ancestry(sageCall) : [];
      return chain.at(-1)?.name === 'POST /webhooks/universign';
    },
    'the Sage call span, with its ancestry up to the webhook request span, at the receiver',
    20_000,
  ).catch((err: unknown) => {
    throw new Error(
      `${err}; received: ${spans.map((span) => `${span.service}: ${span.name} ${span.traceId}/${span.spanId}<-${span.parentSpanId}`).join('\n')}`,
    );
  });
  const root = chain.at(-1) as ReceivedSpan;
  assert.equal(root.kind, SERVER);
  assert.equal(root.service, 'universign-sync-api');
  assert.equal(new Set(chain.map((span) => span.traceId)).size, 1, 'one trace id from the webhook to Sage');
  const names = chain.map((span) => `${span.service}: ${span.name}`);
  assert.equal(chain[0]?.service, 'universign-sync-worker', names.join(' <- '));
  assert.ok(
    names.some((name) => name.startsWith('universign-sync-api: SignalWithStartWorkflow')),
    names.join(' <- '),
  );
  assert.ok(
    names.some((name) => name.startsWith('universign-sync-worker: RunActivity')),
    names.join(' <- '),
  );
});

/** The span and its parents, as far as the receiver has them. */
function ancestry(span: ReceivedSpan): ReceivedSpan[] {
  const chain = [span];
  for (let current = span; current.parentSpanId; ) {
    const parent = spans.find((candidate) => candidate.spanId === current.parentSpanId && candidate.traceId === current.traceId);
    if (!parent) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }>;
    }>;
  }>;
}

function parseSpans(body: string): ReceivedSpan[] {
  const attributes = (list: OtlpAttribute[] = []) =>
    Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue]));
  return ((JSON.parse(body) as OtlpExport).resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: attributes(span.attributes),
      })),
    );
  });
}
