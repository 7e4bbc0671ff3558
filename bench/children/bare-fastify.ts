/**
 * Benchmark helper process: the ceiling of an HTTP endpoint on this machine. A bare Fastify app,
 * same framework and body handling as the webhook route (raw bytes, any content type), that
 * answers 200 at once: no signature check, no database, no Temporal.
 */
import Fastify from 'fastify';
import { serveRpc } from '../lib/child-rpc';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/universign', async (request) => ({ status: 'ok', bytes: (request.body as Buffer).byteLength }));
// The size of a Prometheus scrape, for the ceiling of GET /metrics.
const metricsText = '# bench\n'.repeat(600);
app.get('/metrics', async (_request, reply) => reply.type('text/plain').send(metricsText));
const url = await app.listen({ host: '127.0.0.1', port: 0 });

serveRpc({}, { url }, () => app.close());
