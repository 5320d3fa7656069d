// Bearer API-key authentication and role checks for the /v1 routes.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http-errors.js';
import type { Role } from '../../workflows/definitions.js';
import type { KeyRegistry } from './registry.js';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export function authenticate(keys: KeyRegistry): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    const challenge = { 'WWW-Authenticate': 'Bearer realm="vigil"' };
    if (!token) {
      throw new ApiError(
        401,
        'unauthorized',
        'No API key was sent. Send "Authorization: Bearer <key>"; the first admin key is in <dataDir>/admin.key.',
        undefined,
        challenge,
      );
    }
    const principal = keys.authenticate(token);
    if (!principal) {
      // Same words whether the key is malformed, revoked or never existed.
      throw new ApiError(
        401,
        'unauthorized',
        'The API key is not recognised. Check for a copy/paste error, or ask an operator for a new key.',
        undefined,
        challenge,
      );
    }
    c.set('principal', principal);
    await next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal.roles.includes(role)) {
      throw new ApiError(
        403,
        'forbidden',
        `This route needs the '${role}' role and key '${principal.name}' has ${principal.roles.join(', ')}; use a key with the '${role}' role.`,
      );
    }
    await next();
  };
}
