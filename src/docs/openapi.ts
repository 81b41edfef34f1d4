import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiError, toErrorList } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import type { AppReply, AppRequest } from '../common/http/request-context';
import { type ApiVersion, DEFAULT_VERSION, parseVersion } from '../common/versioning/versions';
import { DOCUMENTED_VERSIONS, type OpenApiVersionChange, VersionedDocuments } from './openapi-versions';

/** The security scheme's name, as in Intercom's own description (the 2.9 excerpt). */
export const BEARER_AUTH = 'bearerAuth';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

const TITLE = 'Intercom Tickets API';

/** Where a version's document is served (`Unstable` is accepted too, as an alias of Preview). */
function documentUrl(version: ApiVersion): string {
  return `${OPENAPI_JSON_PATH}?version=${version}`;
}

/**
 * The OpenAPI 3 document generated from the controllers' and DTOs' decorators: the 2.9 document, which every
 * version's document starts from (openapi-versions.ts).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(TITLE)
    .setDescription(
      "A compatible implementation of Intercom's ticket endpoints. Authenticate with a workspace access token as " +
        '`Authorization: Bearer <token>` (legacy `Basic base64(<token>:)` is accepted too). Every version from ' +
        `${DOCUMENTED_VERSIONS[0]} has its own document: \`${OPENAPI_JSON_PATH}?version=<version>\` ` +
        `(${DOCUMENTED_VERSIONS.join(', ')}; \`Unstable\` is an alias of Preview; without \`version\`, ` +
        `${DEFAULT_VERSION}), and \`${DOCS_PATH}\` switches between them.`,
    )
    .setVersion(DEFAULT_VERSION)
    // Not addBearerAuth(): it labels the token a JWT, which ours is not.
    .addSecurity(BEARER_AUTH, { type: 'http', scheme: 'bearer' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** The version `?version=` names: absent, the default; an unknown one, or one without tickets, a 400. */
function requestedVersion(value: unknown): ApiVersion {
  if (value === undefined) return DEFAULT_VERSION;
  const version = typeof value === 'string' ? parseVersion(value) : null;
  if (version && DOCUMENTED_VERSIONS.includes(version)) return version;
  throw ApiError.invalid(
    'version',
    ERROR_MESSAGES.noDocumentForVersion(typeof value === 'string' ? value : JSON.stringify(value), [
      ...DOCUMENTED_VERSIONS,
      'Unstable',
    ]),
  );
}

/**
 * Serves each version's document at /openapi.json?version=<v> and Swagger UI at /docs, with a selector of
 * versions (swagger-ui's `urls`; `/docs?urls.primaryName=2.14` opens on one). Both are registered directly on
 * the HTTP adapter, outside Nest's router, so the global guard, interceptors and filter never see them: they are
 * public, and the 400 for a bad `version` is written here in the same `error.list` shape. The UI page has no
 * inline script (its init code is a separate file), so a `script-src 'self'` CSP such as helmet's default does
 * not break it.
 */
export function setupOpenApi(app: INestApplication, changes: readonly OpenApiVersionChange[]): void {
  // Built on the first request for each version, not at every boot (tests create many apps).
  const documents = new VersionedDocuments(() => buildOpenApiDocument(app), changes);

  app.getHttpAdapter().get(OPENAPI_JSON_PATH, (req: AppRequest, reply: AppReply) => {
    let version: ApiVersion;
    try {
      version = requestedVersion((req.query as Record<string, unknown>).version);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      req.errorCode = error.code;
      void reply
        .code(error.status)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(toErrorList(error, req.id)));
      return;
    }
    void reply.type('application/json; charset=utf-8').send(documents.json(version));
  });

  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => documents.document(DEFAULT_VERSION), {
    // The JSON is served above, with ?version=.
    raw: false,
    customSiteTitle: TITLE,
    // Shows the top bar's selector (@nestjs/swagger hides it otherwise).
    explorer: true,
    swaggerOptions: {
      // The selector in the top bar; the page opens on the default version unless its URL names another.
      urls: DOCUMENTED_VERSIONS.map((version) => ({ url: documentUrl(version), name: version })),
      'urls.primaryName': DEFAULT_VERSION,
    },
  });
}
