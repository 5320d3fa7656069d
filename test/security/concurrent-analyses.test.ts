// Two scans of two different repositories in one worker at once (real Temporal, real SQLite store, real git, the
// real built-in engine — one instance, as a worker has): their reason activities overlap and the engine's analyses
// interleave, and each scan's findings equal those of the same repository scanned alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBuiltinEngine } from '../../activities/engines/builtin/index.js';
import type { Finding, ReasoningEngine } from '../../activities/model.js';
import { repoA, repoB } from '../helpers/concurrent-analyses.js';
import { createHarness, git, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';

interface Span {
  key: string | undefined;
  start: number;
  end: number;
  /** Times of the engine's progress callbacks. */
  progress: number[];
}

/** Waits until `n` analyses have arrived (or `timeoutMs` passed), so the two reason activities surely overlap. */
function barrier(n: number, timeoutMs: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return async () => {
    if (++arrived >= n) open();
    await Promise.race([opened, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  };
}

function writeRepo(files: Record<string, string>, parent: string): string {
  const repo = mkdtempSync(join(parent, 'repo-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, p)), { recursive: true });
    writeFileSync(join(repo, p), text);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'initial');
  return repo;
}

/** What a finding is, without the ids of the scan that found it. */
const summary = (fs: Finding[]) =>
  fs
    .map((f) => ({
      fingerprint: f.fingerprint,
      ruleId: f.ruleId,
      cwe: f.cwe,
      file: f.location.file,
      lines: [f.location.startLine, f.location.endLine],
      severity: f.severity,
      confidence: f.confidence,
      verdict: f.verdict.verdict,
      reasons: f.verdict.reasons,
      trace: f.trace.map((t) => `${t.kind}@${t.file}:${t.line}`),
      patch: f.patch?.diff,
    }))
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));

describe('concurrent analyses in one worker', () => {
  let h: Harness;
  const spans: Span[] = [];
  let gate: (() => Promise<void>) | undefined;
  const started: { activity: string; scanId: string; at: number }[] = [];

  before(async () => {
    h = await createHarness('concurrent-analyses');
    // The worker's one engine instance, timed; `gate` holds the first analysis until the second has started.
    const real = createBuiltinEngine();
    const timed: ReasoningEngine = {
      name: real.name,
      version: real.version,
      async analyse(input) {
        await gate?.();
        const span: Span = { key: input.cacheKey, start: performance.now(), end: 0, progress: [] };
        try {
          return await real.analyse({ ...input, onProgress: (p) => (span.progress.push(performance.now()), input.onProgress?.(p)) });
        } finally {
          span.end = performance.now();
          spans.push(span);
        }
      },
    };
    await h.startWorker({ engines: { builtin: timed }, onExecute: (activity, scanId) => started.push({ activity, scanId, at: performance.now() }) });
  });
  after(async () => {
    await h?.close();
  });

  test('two repositories scanned at once give the findings each gives alone', { timeout: 240_000 }, async () => {
    const repos = { a: writeRepo(repoA(), h.dir), b: writeRepo(repoB(), h.dir) };
    const scan = async (tenant: string, path: string) => {
      const input = scanInput(h, path, { tenant });
      return { input, handle: await startScan(h, input) };
    };
    const findingsOf = async (tenant: string, scanId: string) => (await h.store.getArtifact(tenant, scanId, 'findings'))!;

    // Alone, one after the other (tenant "solo").
    const solo: Record<string, ReturnType<typeof summary>> = {};
    for (const k of ['a', 'b'] as const) {
      const s = await scan('solo', repos[k]);
      await waitForStage(s.handle, ['awaiting_decisions', 'completed'], 120_000);
      solo[k] = summary(await findingsOf('solo', s.input.scanId));
    }
    assert.ok(solo.a.length >= 3 && solo.b.length >= 3, `both repositories have findings (${solo.a.length}, ${solo.b.length})`);
    assert.notDeepEqual(solo.a, solo.b);

    // At once (tenant "together": nothing is carried over from the solo scans).
    spans.length = 0;
    gate = barrier(2, 60_000);
    const [sa, sb] = await Promise.all([scan('together', repos.a), scan('together', repos.b)]);
    await Promise.all([waitForStage(sa.handle, ['awaiting_decisions', 'completed'], 180_000), waitForStage(sb.handle, ['awaiting_decisions', 'completed'], 180_000)]);
    gate = undefined;

    // Both reason activities ran at the same time in this worker, and the analyses really interleaved.
    const reasons = started.filter((e) => e.activity === 'reason' && (e.scanId === sa.input.scanId || e.scanId === sb.input.scanId));
    assert.equal(reasons.length, 2, 'one reason activity per scan');
    assert.equal(spans.length, 2, 'two analyses');
    const [x, y] = spans;
    assert.notEqual(x.key, y.key, 'each repository has its own cache key');
    assert.ok(x.start < y.end && y.start < x.end, 'the two analyses overlapped in time');
    const within = (s: Span, t: number) => t > s.progress[0] && t < s.progress[s.progress.length - 1];
    assert.ok(
      x.progress.some((t) => within(y, t)) || y.progress.some((t) => within(x, t)),
      'progress of one analysis was reported while the other was in the middle of its work',
    );

    assert.deepEqual(summary(await findingsOf('together', sa.input.scanId)), solo.a, 'A scanned beside B = A alone');
    assert.deepEqual(summary(await findingsOf('together', sb.input.scanId)), solo.b, 'B scanned beside A = B alone');
  });
});
