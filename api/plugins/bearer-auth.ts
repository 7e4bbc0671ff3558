/** Guards /api/* with `Authorization: Bearer <token>`, tokens from API_TOKENS, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const digest = (value: string) => createHash('sha256').update(value).digest();

export const bearerAuthPlugin = fp(async (app: FastifyInstance) => {
  const accepted = app.deps.settings.apiTokens.map(digest);
  app.addHook('onRequest', async (request, reply) => {
    // The matched route, not the raw URL: Fastify decodes the path before routing, so `/%61pi/…`
    // reaches /api routes; unmatched URLs are checked too, so probing them reveals nothing.
    const route = request.routeOptions.url;
    if (route !== undefined && !route.startsWith('/api/')) return;
    if (route === undefined && !safeDecode(request.url).startsWith('/api')) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const presented = match?.[1] ? digest(match[1]) : null;
    if (presented && accepted.some((token) => timingSafeEqual(token, presented))) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'Unauthorized', message: match ? 'invalid bearer token' : 'missing bearer token (Authorization: Bearer <token>)' });
  });
});

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
