// Per-tenant event settings, beside the API keys file in the data directory: VIGIL_TENANTS_FILE (default
// <data dir>/tenants.json, 0600 — it holds webhook signing secrets):
//   { "tenants": { "acme": { "decisionComments": true,
//       "webhooks": [ { "id": "siem", "url": "https://hooks.example.com/vigil", "secret": "…32+ chars…",
//                       "types": ["dev.vigil.finding.created.v1"] } ] } } }
// decisionComments (default false): decision.recorded events carry the approver's comment. Webhooks: see
// activities/events/webhook-sink.ts. The file is re-read when it changes, so edits need no restart.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const TENANTS_FILE_ENV = 'VIGIL_TENANTS_FILE';

const webhookSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'webhook id must be 1-64 of A-Z a-z 0-9 _ -'),
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(32, 'a webhook secret must be at least 32 characters (openssl rand -hex 32)').max(512),
  /** Only these event types (default: every type). */
  types: z.array(z.string().max(200)).max(50).optional(),
});
export type WebhookConfig = z.infer<typeof webhookSchema> & { tenant: string };

const tenantSchema = z.object({
  decisionComments: z.boolean().default(false),
  webhooks: z.array(webhookSchema).max(20).default([]),
});

const fileSchema = z.object({ tenants: z.record(z.string(), tenantSchema).default({}) });
type TenantsFile = z.infer<typeof fileSchema>;

export interface TenantSettings {
  readonly file?: string;
  /** Whether decision.recorded events may carry the comment (off unless the tenant turns it on). */
  decisionComments(tenant: string): boolean;
  /** Every tenant's webhooks. */
  webhooks(): WebhookConfig[];
}

export function resolveTenantsFile(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[TENANTS_FILE_ENV] || join(dataDir, 'tenants.json');
}

export function parseTenantSettings(json: string, origin: string): TenantsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${origin} is not valid JSON (${(err as Error).message}); fix it or remove it.`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${origin}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Settings from a file (absent: defaults), re-read when its modification time changes. */
export function loadTenantSettings(file: string, onReloadError: (err: Error) => void = () => {}): TenantSettings {
  let stamp = '';
  let current: TenantsFile = { tenants: {} };
  const read = (): TenantsFile => {
    let next = '';
    try {
      const st = statSync(file);
      next = `${st.mtimeMs}:${st.size}`;
    } catch {
      next = 'absent';
    }
    if (next === stamp) return current;
    try {
      current = next === 'absent' ? { tenants: {} } : parseTenantSettings(readFileSync(file, 'utf8'), file);
      stamp = next;
    } catch (err) {
      // The last good settings stay in force; the first load fails loudly.
      if (stamp === '') throw err;
      onReloadError(err as Error);
    }
    return current;
  };
  read();
  return fromFile(file, read);
}

/** Fixed settings (tests, embedders). */
export function staticTenantSettings(settings: z.input<typeof fileSchema>): TenantSettings {
  const parsed = fileSchema.parse(settings);
  return fromFile(undefined, () => parsed);
}

function fromFile(file: string | undefined, read: () => TenantsFile): TenantSettings {
  return {
    file,
    decisionComments: (tenant) => Object.hasOwn(read().tenants, tenant) && read().tenants[tenant]!.decisionComments,
    webhooks: () => Object.entries(read().tenants).flatMap(([tenant, t]) => t.webhooks.map((w) => ({ ...w, tenant }))),
  };
}
