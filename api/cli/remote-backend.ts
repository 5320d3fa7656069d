// The CLI talking to a running `vigil serve` over its HTTP API, through Hono's typed client: each call's
// input and answer are the route's own types (AppType, imported as a type only, so the server is never loaded).
import { hc } from 'hono/client';
import type { AppType } from '../app.js';
import type { ErrorBody } from '../http-errors.js';
import type { Backend } from './backend.js';
import type { EstimateAnswer } from '../estimate-requests.js';
import { CliError } from './cli-error.js';

/** fetch for the typed client: a non-2xx answer becomes a CliError with the API's error code and message. */
async function fetchOrFail(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  if (res.ok) return res;
  const text = await res.text();
  let body: Partial<ErrorBody> | undefined;
  try {
    body = JSON.parse(text) as Partial<ErrorBody>;
  } catch {
    // not the API's error shape (e.g. a proxy's page): the text is shown as it is
  }
  const path = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).pathname;
  throw new CliError(`${init?.method ?? 'GET'} ${path} failed (${res.status}): ${body?.message ?? text}`, body?.error);
}

/** A path parameter, encoded: the typed client puts it into the URL as it is. */
const param = (id: string) => encodeURIComponent(id);

export function createRemoteBackend(baseUrl: string, apiKey: string): Backend {
  const v1 = hc<AppType>(baseUrl, { headers: { authorization: `Bearer ${apiKey}` }, fetch: fetchOrFail }).v1;
  const scans = v1.scans;
  const scanDetail = async (scanId: string) => (await scans[':id'].$get({ param: { id: param(scanId) } })).json();

  // One GET /v1/scans/:id answers status, progress and links: a poll asks for status and then progress,
  // so progress reuses the answer status just fetched instead of asking the server again.
  let last: { scanId: string; body: Awaited<ReturnType<typeof scanDetail>> } | undefined;
  async function detail(scanId: string, fresh: boolean) {
    if (fresh || last?.scanId !== scanId) last = { scanId, body: await scanDetail(scanId) };
    return last.body;
  }
  return {
    mode: 'remote',
    async startScan(source, engine, claude) {
      const r = await (await scans.$post({ json: { source, engine, ...(claude ? { claude } : {}) } })).json();
      return { scanId: r.scanId, deduplicated: r.deduplicated, workflowId: r.workflowId };
    },
    async estimate(source, claude) {
      // The route answers an estimate as plain JSON (its typed answer is the scan's shape): read as EstimateAnswer.
      const res = await scans.$post({ json: { source, engine: 'claude', estimate: true, ...(claude ? { claude } : {}) } });
      return (await res.json()) as unknown as EstimateAnswer;
    },
    async status(scanId) {
      const d = await detail(scanId, true);
      return 'status' in d ? d.status : undefined; // absent while the workflow cannot be queried
    },
    async findings(scanId) {
      return (await (await scans[':id'].findings.$get({ param: { id: param(scanId) }, query: {} })).json()).findings;
    },
    async decide(scanId, findingId, decision, comment) {
      const ids = { id: param(scanId), findingId: param(findingId) };
      return (await scans[':id'].findings[':findingId'].decision.$post({ param: ids, json: { decision, comment } })).json();
    },
    async decideMany(scanId, selection, decision, opts) {
      const json = { ...selection, decision, comment: opts.comment, dryRun: Boolean(opts.dryRun) };
      return (await scans[':id'].decisions.$post({ param: { id: param(scanId) }, json })).json();
    },
    async progress(scanId) {
      return (await detail(scanId, false)).progress;
    },
    async history(scanId) {
      return (await (await scans[':id'].history.$get({ param: { id: param(scanId) } })).json()).events;
    },
    async links(scanId) {
      return (await detail(scanId, true)).links;
    },
    async deleteTenant({ confirm, cancelRunning }) {
      return (await v1.tenant.delete.$post({ json: { confirm, cancelRunning } })).json();
    },
    async close() {},
  };
}
