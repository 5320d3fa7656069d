// The CLI talking to a running `vigil serve` over its HTTP API.
import type { Finding } from '../../activities/model.js';
import type { StageProgress } from '../stage-progress.js';
import type { DecisionResult, ScanSource, ScanStatus } from '../../workflows/definitions.js';
import type { Backend, HistoryEvent, StartedScan } from './backend.js';

export class CliError extends Error {}

export function createRemoteBackend(baseUrl: string, apiKey: string): Backend {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new CliError(`${method} ${path} failed (${res.status}): ${json?.message ?? text}`);
    return json as T;
  }
  // One GET /v1/scans/:id answers status, progress and links: a poll asks for status and then progress,
  // so progress reuses the answer status just fetched instead of asking the server again.
  type ScanDetail = { status?: ScanStatus; progress?: StageProgress[]; links?: Record<string, string> };
  let last: { scanId: string; body: ScanDetail } | undefined;
  async function detail(scanId: string, fresh: boolean): Promise<ScanDetail> {
    if (fresh || last?.scanId !== scanId) {
      last = { scanId, body: await call<ScanDetail>('GET', `/v1/scans/${encodeURIComponent(scanId)}`) };
    }
    return last.body;
  }
  return {
    mode: 'remote',
    async startScan(source: ScanSource, engine, claude): Promise<StartedScan> {
      const src = source.kind === 'local' ? { path: source.path } : { url: source.url, ref: source.ref };
      const body = { source: src, engine, ...(claude ? { claude } : {}) };
      const r = await call<{ scanId: string; deduplicated?: boolean; workflowId?: string }>('POST', '/v1/scans', body);
      return { scanId: r.scanId, deduplicated: Boolean(r.deduplicated), workflowId: r.workflowId };
    },
    async status(scanId) {
      return (await detail(scanId, true)).status;
    },
    async findings(scanId) {
      const r = await call<{ findings: Finding[] }>('GET', `/v1/scans/${encodeURIComponent(scanId)}/findings`);
      return r.findings;
    },
    async decide(scanId, findingId, decision, comment): Promise<DecisionResult> {
      return call('POST', `/v1/scans/${encodeURIComponent(scanId)}/findings/${encodeURIComponent(findingId)}/decision`, {
        decision,
        comment,
      });
    },
    async decideMany(scanId, selection, decision, opts) {
      return call('POST', `/v1/scans/${encodeURIComponent(scanId)}/decisions`, {
        ...selection,
        decision,
        ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
        dryRun: Boolean(opts.dryRun),
      });
    },
    async progress(scanId) {
      return (await detail(scanId, false)).progress ?? [];
    },
    async history(scanId) {
      const r = await call<{ events: HistoryEvent[] }>('GET', `/v1/scans/${encodeURIComponent(scanId)}/history`);
      return r.events;
    },
    async links(scanId) {
      return (await detail(scanId, true)).links ?? {};
    },
    async close() {},
  };
}
