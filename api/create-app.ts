/**
 * The Fastify app factory: cross-cutting plugins (errors, auth, metrics, OpenAPI), then routes by
 * resource. Everything it talks to comes in `deps`, so tests drive it with `inject` or over HTTP.
 *
 * Route schemas are zod (each resource's *-schemas.ts beside its routes): with fastify-type-provider-zod one definition per
 * shape validates the input, checks and strips the output, types the handler and feeds OpenAPI.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './app-deps';
import { healthRoutes } from './health/health-routes';
import { bearerAuthPlugin } from './plugins/bearer-auth';
import { drainOversizedBodiesPlugin } from './plugins/drain-oversized-bodies';
import { errorHandlerPlugin } from './plugins/error-handler';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin } from './plugins/openapi';
import { requestSpansPlugin } from './plugins/request-spans';
import { webhookDeliveryPlugin } from './plugins/webhook-delivery';
import { signatureRequestRoutes } from './signature-requests/signature-request-routes';
import { transactionRoutes } from './transactions/transaction-routes';
import { webhookRoutes } from './webhooks/webhook-routes';

export interface CreateAppOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Never log credentials: the bearer token, the webhook signature, cookies. */
export const LOG_REDACTIONS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-jws-signature"]'];

export async function createApp(deps: AppDeps, options: CreateAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Ids in paths are Universign ids: keep the default JSON body limit for /api and a separate one for webhooks.
    bodyLimit: 1024 * 1024,
  });
  app.decorate('deps', deps);
  await app.register(requestSpansPlugin);
  await app.register(errorHandlerPlugin);
  await app.register(drainOversizedBodiesPlugin);
  await app.register(openApiPlugin);
  await app.register(metricsPlugin);
  await app.register(webhookDeliveryPlugin);
  await app.register(bearerAuthPlugin);
  await app.register(async (zodRoutes) => {
    zodRoutes.setValidatorCompiler(validatorCompiler);
    zodRoutes.setSerializerCompiler(serializerCompiler);
    await zodRoutes.register(healthRoutes);
    await zodRoutes.register(webhookRoutes);
    await zodRoutes.register(transactionRoutes, { prefix: '/api/transactions' });
    // Its own body limit (a PDF in base64) is set on its POST route.
    await zodRoutes.register(signatureRequestRoutes, { prefix: '/api/signature-requests' });
  });
  return app;
}
