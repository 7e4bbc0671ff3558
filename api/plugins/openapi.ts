/**
 * OpenAPI document built from the route schemas, served as JSON at /docs/json and browsable at
 * /docs. Zod route schemas are converted by fastify-type-provider-zod (schemas given an `id` with
 * `.meta({id})` become components); routes still declaring JSON schemas are documented as they are.
 */
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { $ZodType } from 'zod/v4/core';

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;
type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;

/** True when any part of the route's schema (body, querystring, params, headers, a response) is a zod schema. */
function hasZodSchema(schema: Record<string, unknown> | undefined): boolean {
  if (!schema) return false;
  const { body, querystring, params, headers, response } = schema;
  const parts = [body, querystring, params, headers, ...Object.values((response as Record<string, unknown> | undefined) ?? {})];
  return parts.some((part) => part instanceof $ZodType);
}

const transform: Transform = (document) =>
  hasZodSchema(document.schema as Record<string, unknown> | undefined)
    ? jsonSchemaTransform(document)
    : { schema: document.schema, url: document.url };

/**
 * The components of the schemas given an `id`. The zod transform lists each twice, as read
 * (`<id>Input`) and as written (`<id>`): an `…Input` copy no route refers to is dropped.
 */
const transformObject: TransformObject = (document) => {
  const openapi = jsonSchemaTransformObject(document) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = openapi.components?.schemas;
  if (!schemas) return openapi as ReturnType<TransformObject>;
  // Until none is left: an unreferenced copy may be what kept another one referenced.
  for (let dropped = true; dropped; ) {
    dropped = false;
    const text = JSON.stringify(openapi);
    for (const name of Object.keys(schemas)) {
      if (!name.endsWith('Input') || text.includes(`"#/components/schemas/${name}"`)) continue;
      delete schemas[name];
      dropped = true;
    }
  }
  return openapi as ReturnType<TransformObject>;
};

export const openApiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Universign ↔ Sage 100 signature sync',
        version: '1.0.0',
        description: 'Signature transactions kept in sync by Temporal workflows. /api/* needs a bearer token.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
});
