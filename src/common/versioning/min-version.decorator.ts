import { SetMetadata } from '@nestjs/common';
import type { ApiVersion } from './versions';

export const MIN_VERSION_KEY = 'intercom:min-version';

/** The oldest `Intercom-Version` a route exists in; older resolved versions get 400 (BEHAVIOUR.md §4). */
export const MinVersion = (version: ApiVersion) => SetMetadata(MIN_VERSION_KEY, version);
