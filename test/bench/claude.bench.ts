// npm run bench:claude — a Claude scan of the generated Express application (generate-app.ts, >= BENCH_LINES lines,
// default 100000) through the real workflow (real Temporal, worker, SQLite) and the real SDK against the local
// stand-in, which plays every role and answers with usage computed from each request the way the API counts it:
// the stable prefix (tools + system) is a cache write the first time and a cache read after, the rest is input.
// Prints, per pass kind: activities, requests, input / cache-read / cache-write / output tokens, the cache-read share
// of input tokens, and wall time (summed and slowest, from the workflow history). Figures only, no assertion.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createUnifiedDiff } from '../../activities/patches/create-diff.js';
import { createClaudeDeps } from '../../workers/engines.js';
import { runEstimate } from '../../api/estimate-requests.js';
import { resolveSource } from '../../api/scan-requests.js';
import { startStandIn, type RecordedRequest, type Reply } from '../helpers/anthropic-standin.js';
import { countedUsage } from '../helpers/counted-usage.js';
import { createHarness, git, scanInput, startScan, waitForStage } from '../helpers/scan-harness.js';
import { generateAppOfSize } from './generate-app.js';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const EFFORT = (process.env.BENCH_EFFORT ?? 'low') as 'low' | 'medium' | 'high';

const app = generateAppOfSize(LINES);
const lineOf = (file: string, line: number) => app.files[file]?.split('\n')[line - 1] ?? '';
const tool = (name: string, input: unknown): Reply => ({ content: [{ type: 'tool_use', name, input }] });
const dirs = [...new Set(Object.keys(app.files).map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '.')))].sort();

function play(req: RecordedRequest): Reply {
  switch (req.role) {
    case 'threatModel':
      return tool('submit_threat_model', {
        components: dirs.map((d) => ({ name: d, description: `the ${d} layer`, paths: [d === '.' ? '' : d], entry_points: [], trust_boundaries: [], sinks: [] })),
        assumptions: ['routes are public'],
        files_worth_reading: [],
        skipped: [],
      });
    case 'research': {
      const files = (req.task.match(/component files">\n([\s\S]*?)\n<\/repository_data>/)?.[1] ?? '').split('\n').filter(Boolean);
      if (req.turn === 0) return tool('read_file', { path: files[0], start_line: 1, end_line: 200 });
      const mine = new Set(files);
      const findings = req.task.includes('injection and input handling')
        ? app.planted
            .filter((p) => mine.has(p.file))
            .map((p) => ({
              title: `${p.rule} in ${p.file}`,
              cwe: { 'sql-injection': 'CWE-89', 'command-injection': 'CWE-78', 'path-traversal': 'CWE-22', 'code-injection': 'CWE-94' }[p.rule] ?? 'CWE-20',
              file: p.file,
              start_line: p.line,
              end_line: p.line,
              trace: [
                { file: p.file, line: p.line, kind: 'source', label: 'request data', code: lineOf(p.file, p.line) },
                { file: p.file, line: p.line, kind: 'sink', label: p.rule, code: lineOf(p.file, p.line) },
              ],
              explanation: 'planted',
            }))
        : [];
      return tool('report_findings', { findings });
    }
    case 'verifier': {
      const [, file, line] = req.task.match(/at ([^\s:]+):(\d+)-/) ?? [];
      const q = { file, line: Number(line), code: lineOf(file, Number(line)) };
      return tool('cast_vote', { verdict: 'true_positive', source: q, sink: q, missing_defence: q, reasoning: 'planted' });
    }
    case 'patch': {
      const [, file, line] = req.task.match(/at ([^\s:]+):(\d+)-/) ?? [];
      const before = app.files[file];
      const lines = before.split('\n');
      lines[Number(line) - 1] += ' // reviewed';
      return tool('propose_patch', { diff: createUnifiedDiff(file, before, lines.join('\n')), description: 'mark' });
    }
    case 'patchReview':
      return tool('review_patch', { fixes_finding: true, keeps_behaviour: true, introduces_issues: false, reasoning: 'ok' });
    default:
      return { status: 400, error: { type: 'invalid_request_error', message: 'unexpected' } };
  }
}

async function main(): Promise<void> {
  // Usage as the API would count it: the prefix is cached after its first use.
  const s = await startStandIn(countedUsage(play));
  const h = await createHarness('bench-claude');
  try {
    await h.startWorker({
      claude: createClaudeDeps({ apiKey: 'sk-ant-bench', baseURL: s.url, timeoutMs: 30_000 }, { model: 'claude-sonnet-5-5', effort: EFFORT, budgetTokens: 50_000_000 }),
    });
    const repo = mkdtempSync(join(h.dir, 'app-'));
    for (const [p, text] of Object.entries(app.files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'app');

    // The estimate first (threat model only), then the scan it estimates.
    const te = Date.now();
    const requestsBefore = s.requests.length;
    const estimated = await runEstimate({ client: h.client, store: h.store, taskQueue: h.taskQueue }, { tenant: 'default', name: 'bench' }, await resolveSource({ path: repo }), undefined);
    const estimateWall = Date.now() - te;
    const estimateRoles = [...new Set(s.requests.slice(requestsBefore).map((r) => r.role))].join(', ');
    const estimateRequests = s.requests.length - requestsBefore;

    const input = scanInput(h, repo, { engine: 'claude', tuning: { heartbeatTimeoutSeconds: 60 } });
    const t0 = Date.now();
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions', 'completed'], 30 * 60_000);
    const wall = Date.now() - t0;

    // Wall time per activity, from the history (scheduled → completed).
    const events = (await handle.fetchHistory()).events ?? [];
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    const scheduled = new Map<string, { type: string; at: number }>();
    const walls = new Map<string, number[]>();
    for (const e of events) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', at: ms(e.eventTime) });
      const c = e.activityTaskCompletedEventAttributes;
      if (c) {
        const sch = scheduled.get(String(c.scheduledEventId));
        if (sch) walls.set(sch.type, [...(walls.get(sch.type) ?? []), ms(e.eventTime) - sch.at]);
      }
    }
    const ledger = (await h.store.getArtifact('default', input.scanId, 'claude:usage'))!;
    const role: Record<string, RecordedRequest['role'][]> = {
      'threat-model': ['threatModel'],
      research: ['research'],
      verification: ['verifier'],
      patch: ['patch', 'patchReview'],
    };
    const activity: Record<string, string> = { 'threat-model': 'claudeThreatModel', research: 'claudeResearch', verification: 'claudePanel', patch: 'claudePatch' };
    const rows = [['pass', 'activities', 'requests', 'input', 'cache read', 'cache write', 'output', 'cache-read share', 'wall (sum)', 'wall (slowest)']];
    for (const st of ledger.stages) {
      const u = st.usage;
      const reqs = s.requests.filter((r) => role[st.stage]?.includes(r.role)).length;
      const w = walls.get(activity[st.stage]) ?? [];
      const allInput = u.inputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
      rows.push([
        st.stage, String(w.length), String(reqs), String(u.inputTokens), String(u.cacheReadInputTokens), String(u.cacheCreationInputTokens),
        String(u.outputTokens), allInput ? `${((100 * u.cacheReadInputTokens) / allInput).toFixed(0)} %` : 'n/a',
        `${(w.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s`, `${(Math.max(0, ...w) / 1000).toFixed(2)} s`,
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`generated app: ${Object.keys(app.files).length} files, ${app.lines} lines, ${app.planted.length} planted; effort ${EFFORT}`);
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
    const total = ledger.stages.reduce((n, st) => n + st.usage.inputTokens + st.usage.cacheReadInputTokens + st.usage.cacheCreationInputTokens, 0);
    const read = ledger.stages.reduce((n, st) => n + st.usage.cacheReadInputTokens, 0);
    console.log(`requests ${s.requests.length}; tokens spent ${ledger.spentTokens}; cache-read share of input ${total ? ((100 * read) / total).toFixed(0) : 0} %; estimated cost $${ledger.estimatedCostUsd}`);
    console.log(`findings confirmed ${status.counts.verification?.confirmed ?? 0}; claims rejected ${JSON.stringify(status.counts.claude?.rejected ?? {})}; scan wall ${(wall / 1000).toFixed(1)} s`);
    const e = estimated.estimate;
    const actual = ledger.spentTokens;
    const ratio = (x: number) => (actual ? (x / actual).toFixed(2) : 'n/a');
    console.log(
      `estimate (${estimateRequests} request(s): ${estimateRoles}; ${(estimateWall / 1000).toFixed(1)} s; ${e.passes.length} passes planned, ${ledger.stages.length ? status.counts.claude?.passesRun : 0} run): ` +
        `tokens low ${e.total.low.tokens} / expected ${e.total.expected.tokens} / high ${e.total.high.tokens} against actual ${actual} ` +
        `(expected/actual ${ratio(e.total.expected.tokens)}, low ${ratio(e.total.low.tokens)}, high ${ratio(e.total.high.tokens)}); ` +
        `cost on ${e.model} $${e.costs[0].usd.low}–$${e.costs[0].usd.high} (expected $${e.costs[0].usd.expected}) against $${ledger.estimatedCostUsd}`,
    );
    for (const st of ledger.stages) {
      const est = st.stage === 'research' ? e.passes.reduce((n, p) => n + p.tokens.expected, 0) : st.stage === 'verification' ? e.verification.tokens.expected : st.stage === 'patch' ? e.patches.tokens.expected : e.threatModel.tokens;
      console.log(`  ${st.stage.padEnd(12)} estimated ${String(est).padStart(10)}  actual ${String(st.tokens).padStart(10)}`);
    }
    await handle.terminate('bench done');
  } finally {
    await h.close();
    await s.close();
  }
}

await main();
