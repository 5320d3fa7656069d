// Progress inside a running stage, for the CLI's bar and the API: long activities heartbeat counts
// (files read, files analysed of a total), which Temporal keeps on the pending activity.
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';

export interface StageProgress {
  activity: string;
  attempt: number;
  /** The last heartbeat's details: counts and phase names only, never code. */
  detail?: { phase?: string; done?: number; total?: number; files?: number; bytes?: number };
}

export async function stageProgress(client: Client, handle: WorkflowHandle): Promise<StageProgress[]> {
  return progressOf(client, await handle.describe());
}

export async function progressOf(client: Client, description: WorkflowExecutionDescription): Promise<StageProgress[]> {
  const out: StageProgress[] = [];
  for (const p of description.raw.pendingActivities ?? []) {
    let detail: StageProgress['detail'];
    const payloads = p.heartbeatDetails?.payloads;
    if (payloads?.length) {
      try {
        const raw = await decodeFromPayloadsAtIndex<Record<string, unknown>>(client.workflow.options.loadedDataConverter, 0, payloads);
        detail = pickCounts(raw);
      } catch {
        detail = undefined; // details this client cannot decode (another codec): show the stage without them
      }
    }
    out.push({ activity: p.activityType?.name ?? 'activity', attempt: p.attempt ?? 1, ...(detail ? { detail } : {}) });
  }
  return out;
}

function pickCounts(raw: Record<string, unknown> | undefined): StageProgress['detail'] {
  if (!raw || typeof raw !== 'object') return undefined;
  const num = (k: string) => (typeof raw[k] === 'number' && Number.isFinite(raw[k]) ? (raw[k] as number) : undefined);
  const phase = typeof raw.phase === 'string' ? raw.phase.slice(0, 40) : undefined;
  const d = { phase, done: num('done'), total: num('total'), files: num('files'), bytes: num('bytes') };
  const kept = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length ? kept : undefined;
}

/** " — analyse 340/1200" or " — read 12,000 files", plus the attempt when it is a retry. */
export function describeProgress(progress: StageProgress[]): string {
  const parts = progress.map((p) => {
    const d = p.detail ?? {};
    let text = '';
    if (d.total !== undefined && d.done !== undefined) text = `${d.phase ? `${d.phase} ` : ''}${d.done}/${d.total}`;
    else if (d.files !== undefined) text = `${d.phase ? `${d.phase} ` : ''}${d.files.toLocaleString('en')} files`;
    else if (d.phase) text = d.phase;
    if (p.attempt > 1) text = `${text}${text ? ' ' : ''}(attempt ${p.attempt})`;
    return text;
  });
  const joined = parts.filter(Boolean).join(', ');
  return joined ? ` — ${joined}` : '';
}
