// /v1/tenant/delete: deletes all of the caller's tenant's data (admin role, the tenant's name typed out as
// confirmation). The work is api/tenant-deletion.ts, shared with `vigil tenant delete`.
import { Hono } from 'hono';
import type { AppEnv, Services } from '../env.js';
import { requireRole } from '../auth/middleware.js';
import { ApiError } from '../http-errors.js';
import { ScansDidNotCloseError, TenantHasOpenScansError, deleteTenantData } from '../tenant-deletion.js';
import { tenantDeletionBodySchema } from './tenant-schemas.js';
import { requireJson, validate } from './validate.js';

export function tenantRouter(s: Services) {
  return new Hono<AppEnv>().post('/delete', requireRole('admin'), requireJson, validate('json', tenantDeletionBodySchema), async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    if (body.confirm === undefined || body.confirm === '') {
      throw new ApiError(
        400,
        'confirmation_required',
        `Deleting a tenant's data cannot be undone: send {"confirm": "${principal.tenant}"} (this key's tenant) to confirm.`,
      );
    }
    if (body.confirm !== principal.tenant) {
      throw new ApiError(
        400,
        'confirmation_mismatch',
        `"confirm" must be this key's own tenant, "${principal.tenant}"; a key can delete only its own tenant's data.`,
      );
    }
    try {
      const result = await deleteTenantData(
        { temporal: s.temporal, store: s.store, ...(s.vectors ? { vectors: s.vectors } : {}) },
        { tenant: principal.tenant, requestedBy: principal.name, cancelRunning: body.cancelRunning === true },
      );
      return c.json(result, 200);
    } catch (err) {
      if (err instanceof TenantHasOpenScansError) throw new ApiError(409, 'scans_open', err.message, { scans: err.scans });
      if (err instanceof ScansDidNotCloseError) {
        throw new ApiError(503, 'scans_did_not_close', err.message, { scans: err.scans }, { 'Retry-After': '5' });
      }
      throw err;
    }
  });
}
