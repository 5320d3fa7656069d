// /v1/scans/:id/report: the final report, as Vigil JSON, SARIF 2.1.0 or Markdown.
import { Hono } from 'hono';
import type { AppEnv, Services } from '../env.js';
import { ApiError } from '../http-errors.js';
import { loadScan } from './scan-access.js';
import { reportQuerySchema, scanParamsSchema } from './schemas.js';
import { validate } from './validate.js';

export function reportsRouter(s: Services) {
  return new Hono<AppEnv>().get(
    '/:id/report',
    validate('param', scanParamsSchema),
    validate('query', reportQuerySchema),
    async (c) => {
      const tenant = c.get('principal').tenant;
      const record = await loadScan(s, tenant, c.req.valid('param').id);
      const { format } = c.req.valid('query');
      const kind = format === 'sarif' ? 'report.sarif' : format === 'markdown' ? 'report.md' : 'report.json';
      const report = await s.store.getArtifact(tenant, record.scanId, kind);
      if (report === undefined) {
        throw new ApiError(
          409,
          'not_ready',
          `Scan ${record.scanId} has no report yet: it is written once decisions are applied. Check its stage with GET /v1/scans/${record.scanId} and retry.`,
        );
      }
      const text = typeof report === 'string' ? report : JSON.stringify(report);
      const contentType = format === 'sarif' ? 'application/sarif+json' : format === 'markdown' ? 'text/markdown' : 'application/json';
      return c.body(text, 200, { 'Content-Type': `${contentType}; charset=utf-8` });
    },
  );
}
