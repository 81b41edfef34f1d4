import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { Reliability1764100000000 } from './1764100000000-reliability';

/** Listed explicitly so the compiled app, the CLI and ts-jest all load the same migrations. */
export const MIGRATIONS = [InitialSchema1764000000000, Reliability1764100000000];
