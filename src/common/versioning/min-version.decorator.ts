import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { ApiVersion } from './versions';

export const MIN_VERSION_KEY = 'intercom:min-version';

/**
 * The OpenAPI extension that carries a route's oldest version into the generated document, so that the document
 * of an older version leaves the route out (docs/openapi-versions.ts): the docs and the 400 share one declaration.
 */
export const MIN_VERSION_EXTENSION = 'x-intercom-min-version';

/** The oldest `Intercom-Version` a route exists in; older resolved versions get 400 (BEHAVIOUR.md §4). */
export const MinVersion = (version: ApiVersion) =>
  applyDecorators(SetMetadata(MIN_VERSION_KEY, version), ApiExtension(MIN_VERSION_EXTENSION, version));
