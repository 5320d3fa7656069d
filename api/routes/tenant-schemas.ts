// Request and response shapes of POST /v1/tenant/delete; the route validates with them and openapi.ts documents them.
import { z } from 'zod';

export const tenantDeletionBodySchema = z
  .object({
    confirm: z
      .string()
      .max(200)
      .optional()
      .describe("Required: the caller's own tenant name, typed out, to confirm that all of its data is to be deleted."),
    cancelRunning: z
      .boolean()
      .optional()
      .describe('Cancel the scans still running or awaiting decisions first (and wait for them to close); without it they make the request 409.'),
  })
  .strict();

const openScanSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  scanId: z.string().nullable(),
  stage: z.string().nullable(),
});

const count = z.number().int().min(0);

export const tenantDeletionResultSchema = z.object({
  tenant: z.string(),
  deleted: z
    .object({
      scans: count,
      snapshots: count,
      blobs: count,
      artifacts: count,
      decisions: count,
      ledgerEntries: count,
      events: count,
      other: count.describe('Merkle nodes, repository trees and engine state.'),
      vectors: count.describe('Remembered decision vectors.'),
      workflows: count.describe(
        'Workflow runs deleted from Temporal. Temporal removes them asynchronously (within a minute or so); a repeated deletion before then asks again and counts them again.',
      ),
    })
    .describe('What was deleted, as counts; a repeated deletion counts zeros.'),
  cancelledScans: z.array(openScanSchema),
  eventId: z.string().describe('The dev.vigil.tenant.deleted.v1 event recorded in the outbox.'),
  kept: z.array(z.string()).describe("What is deliberately not deleted: the tenant's API keys and its settings file entry."),
});

export const openScansConflictSchema = z.object({
  error: z.literal('scans_open'),
  message: z.string(),
  details: z.object({ scans: z.array(openScanSchema) }),
});
