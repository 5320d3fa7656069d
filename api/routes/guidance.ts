// /v1/guidance/:id: one passage of Vigil's security guidance (a finding's `guidance.id`), as Markdown. Guidance
// is ours and the same for every tenant, so any valid key may read any passage.
import { Hono } from 'hono';
import type { GuidanceLibrary } from '../../activities/retrieval/guidance-docs.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http-errors.js';
import { guidanceParamsSchema } from './schemas.js';
import { validate } from './validate.js';

export function guidanceRouter(library: () => GuidanceLibrary) {
  return new Hono<AppEnv>().get('/:id', validate('param', guidanceParamsSchema), (c) => {
    const { id } = c.req.valid('param');
    const chunk = library().chunk(id);
    if (!chunk) throw new ApiError(404, 'not_found', `No guidance passage ${id}; passage ids come from a finding's guidance.id.`);
    return c.json({ id: chunk.id, ruleId: chunk.ruleId, title: chunk.title, cwe: chunk.cwe, heading: chunk.heading, markdown: chunk.markdown }, 200);
  });
}
