// Input validation for every route: zod schemas through one hook, so every 400 has the same shape.
import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import type { z } from 'zod';
import { ApiError, validationHook } from '../http-errors.js';

export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => validationHook(result, target));
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

/** 415 for non-JSON bodies and a clear 400 for malformed JSON, before the schema sees anything. */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!JSON_TYPE.test(mediaType)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Expected a JSON body but Content-Type is ${mediaType ? `'${mediaType}'` : 'missing'}; send "Content-Type: application/json".`,
    );
  }
  try {
    await c.req.json(); // cached by Hono, so the validator reads the same parsed text
  } catch {
    throw new ApiError(400, 'malformed_json', 'The request body is not valid JSON; check quoting and commas and retry.');
  }
  await next();
};
