import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The security scheme's name, as in Intercom's own description (the 2.9 excerpt). */
export const BEARER_AUTH = 'bearerAuth';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** The OpenAPI 3 document, generated from the controllers' and DTOs' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Intercom Tickets API — Update a ticket')
    .setDescription(
      "A compatible implementation of Intercom's `PUT /tickets/{id}` (API 2.9). Authenticate with a workspace " +
        'access token as `Authorization: Bearer <token>` (legacy `Basic base64(<token>:)` is accepted too).',
    )
    .setVersion('2.9')
    // Not addBearerAuth(): it labels the token a JWT, which ours is not.
    .addSecurity(BEARER_AUTH, { type: 'http', scheme: 'bearer' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the document at /openapi.json and Swagger UI at /docs. SwaggerModule registers these directly on the
 * HTTP adapter, outside Nest's router, so the global guard, interceptors and filter never see them: they are
 * public. The UI page has no inline script (its init code is a separate file), so a `script-src 'self'` CSP
 * such as helmet's default does not break it.
 */
export function setupOpenApi(app: INestApplication): void {
  // A factory: the document is built on the first request, not at every boot (tests create many apps).
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'Intercom Tickets API — Update a ticket',
  });
}
