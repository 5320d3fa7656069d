// Deleting a tenant's data: what the API's POST /v1/tenant/delete and `vigil tenant delete` both run.
// Order: refuse (or cancel, when asked) while a scan of the tenant is still open; delete its closed workflow
// runs from Temporal (their search attributes name repositories); its decision vectors; then the store's rows
// with the tenant.deleted event in the same transaction. Every step is idempotent, so a failed deletion is
// simply repeated. API keys live in the keys file, not in the store: they are kept, and the answer says so.
import type { Client } from '@temporalio/client';
import { tenantDeletedEvent } from '../activities/events/tenant-events.js';
import type { DecisionVectorStore } from '../activities/retrieval/vector-store.js';
import type { Store, TenantDeletionCounts } from '../activities/store/store.js';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions.js';
import { tenantSchema } from './auth/keys-file.js';

export interface OpenScan {
  workflowId: string;
  runId: string;
  scanId: string | null;
  /** VigilStatus: e.g. reasoning, awaiting_decisions. */
  stage: string | null;
}

export interface TenantDeletionResult {
  tenant: string;
  deleted: TenantDeletionCounts & { vectors: number; workflows: number };
  /** The open scans cancelled first ("cancelRunning"). */
  cancelledScans: OpenScan[];
  /** The id of the tenant.deleted event in the outbox. */
  eventId: string;
  /** What was deliberately kept. */
  kept: string[];
}

/** Scans still running or awaiting approval, and the request did not ask to cancel them: HTTP 409. */
export class TenantHasOpenScansError extends Error {
  constructor(readonly scans: OpenScan[]) {
    super(
      `Tenant has ${scans.length} scan(s) still running or awaiting decisions (${scans.map((s) => s.scanId ?? s.workflowId).join(', ')}); ` +
        'finish or decide them first, or repeat the request with "cancelRunning": true (CLI: --cancel-running) to cancel them.',
    );
    this.name = 'TenantHasOpenScansError';
  }
}

/** A cancelled scan did not close in time even after being terminated: HTTP 503, try again. */
export class ScansDidNotCloseError extends Error {
  constructor(readonly scans: OpenScan[]) {
    super(`Scan workflows did not close after cancelling and terminating them (${scans.map((s) => s.workflowId).join(', ')}); nothing was deleted, try again.`);
    this.name = 'ScansDidNotCloseError';
  }
}

export const KEPT_ON_TENANT_DELETION = [
  "The tenant's API keys (they are in the keys file, not the store): remove them from VIGIL_API_KEYS_FILE / VIGIL_API_KEYS.",
  'Its per-tenant settings and webhooks in VIGIL_TENANTS_FILE (the tenant.deleted event is delivered through them).',
];

export interface TenantDeletionDeps {
  temporal: Client;
  store: Store;
  /** The decision memory's vectors (absent when retrieval has no vector store here). */
  vectors?: DecisionVectorStore;
  /** How long cancelled scans get to close before they are terminated (default 30 s). */
  cancelGraceMs?: number;
}

export async function deleteTenantData(
  deps: TenantDeletionDeps,
  req: { tenant: string; requestedBy: string; cancelRunning: boolean },
): Promise<TenantDeletionResult> {
  const { temporal, store } = deps;
  const { tenant } = req;
  if (!tenantSchema.safeParse(tenant).success) throw new Error(`"${tenant}" is not a tenant name (a-z, 0-9, "_" or "-"); nothing was deleted.`);
  const open = await openScans(temporal, store, tenant);
  if (open.length > 0 && !req.cancelRunning) throw new TenantHasOpenScansError(open);
  if (open.length > 0) await cancelAndWait(temporal, open, deps.cancelGraceMs ?? 30_000);

  const workflows = await deleteClosedRuns(temporal, tenant, open);
  let vectors = 0;
  if (deps.vectors) {
    vectors = await deps.vectors.count(tenant);
    await deps.vectors.deleteTenant(tenant);
  }
  let eventId = '';
  const deleted = await store.deleteTenant(tenant, {
    record: (counts) => {
      const event = tenantDeletedEvent(tenant, {
        requestedBy: req.requestedBy.slice(0, 200),
        cancelledScans: open.length,
        deleted: { ...counts, vectors, workflows },
      });
      eventId = event.id;
      return [event];
    },
  });
  return { tenant, deleted: { ...deleted, vectors, workflows }, cancelledScans: open, eventId, kept: KEPT_ON_TENANT_DELETION };
}

/** A visibility-query string literal (tenant names are validated: no quotes or control characters). */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Scans recorded this recently are also asked directly: visibility may not list them yet. */
const VISIBILITY_LAG_MS = 120_000;

/**
 * Every open workflow of the tenant (scans, estimates), from visibility (which lags a second or so), plus the
 * scans the store recorded in the last two minutes whose workflow says it is running.
 */
async function openScans(temporal: Client, store: Store, tenant: string): Promise<OpenScan[]> {
  const query = `${SEARCH_ATTRIBUTES.tenant.name} = ${literal(tenant)} AND ExecutionStatus = 'Running'`;
  const out: OpenScan[] = [];
  for await (const run of temporal.workflow.list({ query })) {
    out.push({
      workflowId: run.workflowId,
      runId: run.runId,
      scanId: typeof run.memo?.scanId === 'string' ? run.memo.scanId : null,
      stage: run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) ?? null,
    });
  }
  const since = Date.now() - VISIBILITY_LAG_MS;
  for (const scan of await store.listScans(tenant, { limit: 50 })) {
    if (Date.parse(scan.createdAt) < since || out.some((o) => o.workflowId === scan.workflowId)) continue;
    try {
      const d = await temporal.workflow.getHandle(scan.workflowId).describe();
      if (d.status.name === 'RUNNING') {
        out.push({ workflowId: d.workflowId, runId: d.runId, scanId: scan.scanId, stage: d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) ?? null });
      }
    } catch (err) {
      ignoreNotFound(err);
    }
  }
  return out;
}

/** Cancels each workflow (its current run) and waits until all are closed; past the grace, terminates them. */
async function cancelAndWait(temporal: Client, scans: OpenScan[], graceMs: number): Promise<void> {
  const handles = scans.map((s) => temporal.workflow.getHandle(s.workflowId));
  await Promise.all(handles.map((h) => h.cancel().catch(ignoreNotFound)));
  let stillOpen = await waitClosed(handles, graceMs);
  if (stillOpen.length === 0) return;
  // No worker took the cancellation (none polling, or it is stuck): the server closes them itself.
  await Promise.all(stillOpen.map((h) => h.terminate('tenant data deleted').catch(ignoreNotFound)));
  stillOpen = await waitClosed(stillOpen, 10_000);
  if (stillOpen.length > 0) throw new ScansDidNotCloseError(scans.filter((s) => stillOpen.some((h) => h.workflowId === s.workflowId)));
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

async function waitClosed(handles: Handle[], withinMs: number): Promise<Handle[]> {
  const deadline = Date.now() + withinMs;
  let open = handles;
  for (;;) {
    const states = await Promise.all(
      open.map(async (h) => {
        try {
          return (await h.describe()).status.name === 'RUNNING';
        } catch (err) {
          ignoreNotFound(err);
          return false;
        }
      }),
    );
    open = open.filter((_, i) => states[i]);
    if (open.length === 0 || Date.now() >= deadline) return open;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Deletes the tenant's closed workflow runs (every run of a chain, estimates too) from Temporal, and the runs
 * just cancelled. A run visibility still shows open that this deletion did not cancel (a scan started meanwhile)
 * is left alone. Returns how many runs were deleted.
 */
async function deleteClosedRuns(temporal: Client, tenant: string, cancelled: OpenScan[]): Promise<number> {
  // The cancelled runs by name: visibility may not show them closed (or at all) yet.
  const runs = new Map(cancelled.map((s) => [s.runId, { workflowId: s.workflowId, runId: s.runId }]));
  for await (const run of temporal.workflow.list({ query: `${SEARCH_ATTRIBUTES.tenant.name} = ${literal(tenant)}` })) {
    if (run.status.name === 'RUNNING' && !runs.has(run.runId)) continue;
    runs.set(run.runId, { workflowId: run.workflowId, runId: run.runId });
  }
  let deleted = 0;
  for (const workflowExecution of runs.values()) {
    try {
      await temporal.workflowService.deleteWorkflowExecution({ namespace: temporal.options.namespace, workflowExecution });
      deleted++;
    } catch (err) {
      ignoreNotFound(err); // deleted by an earlier, interrupted deletion: visibility lags behind
    }
  }
  return deleted;
}

/** NOT_FOUND (gRPC 5, or the client's WorkflowNotFoundError) is what a repeated deletion meets: not an error. */
function ignoreNotFound(err: unknown): void {
  const e = err as { code?: number; name?: string } | undefined;
  if (e?.code === 5 || e?.name === 'WorkflowNotFoundError') return;
  throw err;
}
