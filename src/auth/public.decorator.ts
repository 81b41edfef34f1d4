import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'auth:public';

/** Marks a route that needs no token (health probes). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
