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
  return {
    mode: 'remote',
    async startScan(source: ScanSource, engine, claude): Promise<StartedScan> {
      const src = source.kind === 'local' ? { path: source.path } : { url: source.url, ref: source.ref };
      const body = { source: src, engine, ...(claude ? { claude } : {}) };
      const r = await call<{ scanId: string; deduplicated?: boolean; workflowId?: string }>('POST', '/v1/scans', body);
      return { scanId: r.scanId, deduplicated: Boolean(r.deduplicated), workflowId: r.workflowId };
    },
    async status(scanId) {
      const r = await call<{ status?: ScanStatus }>('GET', `/v1/scans/${encodeURIComponent(scanId)}`);
      return r.status;
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
    async progress(scanId) {
      const r = await call<{ progress?: StageProgress[] }>('GET', `/v1/scans/${encodeURIComponent(scanId)}`);
      return r.progress ?? [];
    },
    async history(scanId) {
      const r = await call<{ events: HistoryEvent[] }>('GET', `/v1/scans/${encodeURIComponent(scanId)}/history`);
      return r.events;
    },
    async links(scanId) {
      const r = await call<{ links?: Record<string, string> }>('GET', `/v1/scans/${encodeURIComponent(scanId)}`);
      return r.links ?? {};
    },
    async close() {},
  };
}
