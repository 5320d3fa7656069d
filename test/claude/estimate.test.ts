// Cost before spending: the estimate workflow runs the threat-model pass and no research, and its figures hold
// against the scan that follows; a cost limit stops a scan, which finishes marked incomplete. Real Temporal, worker,
// SQLite and SDK against the local stand-in, whose usage is counted from each request's size (test/helpers/counted-usage.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runEstimate } from '../../api/estimate-requests.js';
import { resolveSource } from '../../api/scan-requests.js';
import { createClaudeDeps } from '../../workers/engines.js';
import { startStandIn, type RecordedRequest, type StandIn } from '../helpers/anthropic-standin.js';
import { countedUsage } from '../helpers/counted-usage.js';
import { createHarness, gitRepoFromFixture, scanInput, startScan, waitForStage, type Harness } from '../helpers/scan-harness.js';
import { brain, fixture } from './brain.js';
import { thoroughBrain, type KnownVuln } from './thorough-brain.js';
import { readdirSync, readFileSync } from 'node:fs';
import { createBuiltinEngine } from '../../activities/engines/builtin/index.js';
import { decideUpdate } from '../../workflows/definitions.js';
import { join } from 'node:path';

/** The estimate's expected total must be within this factor of the tokens the same scan spends (README). */
export const ESTIMATE_FACTOR = 3;

describe('claude engine: cost before spending', () => {
  let h: Harness;
  let s: StandIn;
  before(async () => {
    s = await startStandIn(countedUsage(brain()));
    h = await createHarness('estimate');
    await h.startWorker({
      claude: createClaudeDeps({ apiKey: 'sk-ant-test', baseURL: s.url, timeoutMs: 5000 }, { model: 'claude-sonnet-5-5', effort: 'low', budgetTokens: 1_000_000 }),
    });
  });
  after(async () => {
    await h.close();
    await s.close();
  });
  const byRole = (reqs: RecordedRequest[], role: RecordedRequest['role']) => reqs.filter((r) => r.role === role);

  test('the estimate runs the threat model and no research, and holds against the scan that follows', async () => {
    const repo = gitRepoFromFixture(fixture, h.dir);
    const start = s.requests.length;
    const resolved = await resolveSource({ path: repo });
    const answer = await runEstimate({ client: h.client, store: h.store, taskQueue: h.taskQueue }, { tenant: 'default', name: 'test' }, resolved, undefined);
    const reqs = s.requests.slice(start);
    assert.equal(byRole(reqs, 'threatModel').length, 1, 'the threat-model pass ran');
    assert.deepEqual([...new Set(reqs.map((r) => r.role))], ['threatModel'], 'no research, verifier or patch request reached the model');
    const e = answer.estimate;
    assert.deepEqual(e.passes.map((p) => p.id), ['c0-injection', 'c0-authz'], 'one component × the two low-effort categories');
    assert.ok(e.threatModel.tokens > 0 && e.threatModel.costUsd > 0, 'what the estimate itself cost is reported');
    assert.equal(e.costs[0].model, 'claude-sonnet-5-5');
    for (const c of e.costs) assert.ok(c.usd.low > 0 && c.usd.low <= c.usd.expected && c.usd.expected <= c.usd.high, JSON.stringify(c));
    assert.ok(e.total.low.tokens < e.total.expected.tokens && e.total.expected.tokens < e.total.high.tokens);
    assert.ok(e.assumptions.length >= 5);

    // The scan of the same revision, by a model that reads before it answers and reports what the repository holds
    // (the built-in engine's leads the estimate counted): a first, full scan (the estimate moved no Merkle tree).
    const leads = (await h.store.getArtifact('default', answer.estimateId, 'claude:leads'))!.leads;
    s.script = countedUsage(thoroughBrain(fixtureFiles(repo), leads.map((l) => ({ file: l.location.file, line: l.location.startLine, cwe: l.cwe }))));
    const input = scanInput(h, repo, { engine: 'claude' });
    const status = await waitForStage(await startScan(h, input), ['awaiting_decisions'], 90_000);
    const scope = (await h.store.getArtifact('default', input.scanId, 'scope'))!;
    assert.equal(scope.mode, 'full', 'the estimate left the repository as it was for the next scan');
    const actual = status.counts.claude!.spentTokens;
    const expected = e.total.expected.tokens;
    console.log(`estimate low ${e.total.low.tokens} / expected ${expected} / high ${e.total.high.tokens}; actual ${actual} tokens`);
    assert.ok(actual >= expected / ESTIMATE_FACTOR && actual <= expected * ESTIMATE_FACTOR, `actual ${actual} within ×${ESTIMATE_FACTOR} of the estimate ${expected}`);
    assert.ok(actual >= e.total.low.tokens && actual <= e.total.high.tokens, `actual ${actual} inside the range ${e.total.low.tokens}–${e.total.high.tokens}`);
  });

  test('--max-cost stops a scan: a partial report marked incomplete, saying which limit and what was not done', async () => {
    const repo = gitRepoFromFixture(fixture, h.dir);
    const leads = await fixtureLeads(repo);
    s.script = countedUsage(thoroughBrain(fixtureFiles(repo), leads));
    const maxCostUsd = 0.03;
    const start = s.requests.length;
    const input = scanInput(h, repo, { engine: 'claude', claude: { maxCostUsd } });
    const handle = await startScan(h, input);
    const status = await waitForStage(handle, ['awaiting_decisions'], 90_000);
    const c = status.counts.claude!;
    assert.equal(c.stoppedBy, 'cost', 'the cost limit stopped it, not the token budget');
    assert.equal(c.budgetExhausted, true);
    assert.equal(c.incomplete, true);
    assert.equal(c.maxCostUsd, maxCostUsd);
    assert.ok(c.spentUsd! <= maxCostUsd, `spent $${c.spentUsd} of $${maxCostUsd}`);
    assert.ok(c.spentUsd! > maxCostUsd / 2, `spent $${c.spentUsd}: the limit was used, not refused up front`);
    assert.ok((c.panelsSkipped ?? 0) > 0, 'candidates were left unverified');
    const verifiers = byRole(s.requests.slice(start), 'verifier').length;
    assert.ok(verifiers < leads.length * 3 * 2, `fewer verifier calls (${verifiers}) than a full panel per candidate`);
    const ledger = (await h.store.getArtifact('default', input.scanId, 'claude:usage'))!;
    assert.equal(ledger.incomplete, true);
    assert.equal(ledger.stoppedBy, 'cost');
    assert.ok(ledger.notDone?.some((x) => /candidate\(s\) not verified/.test(x)), JSON.stringify(ledger.notDone));
    // The ledger's price of what was spent agrees with the workflow's (both from the price table).
    assert.ok(Math.abs(ledger.estimatedCostUsd - c.spentUsd!) < 1e-5, `${ledger.estimatedCostUsd} vs ${c.spentUsd}`);
    const findings = (await h.store.getArtifact('default', input.scanId, 'findings'))!;
    assert.ok(findings.some((f) => f.verdict.verdict === 'uncertain' && /cost limit \(\$0\.03\) was reached/.test(f.verdict.reasons[0])));

    // Decide everything: the stored reports (JSON, SARIF, Markdown) say the scan is partial.
    for (const f of status.findings) {
      await handle.executeUpdate(decideUpdate, { args: [{ findingId: f.id, decision: 'reject', actor: 'alice', tenant: 'default', roles: ['approver'] }] });
    }
    await waitForStage(handle, ['completed'], 60_000);
    const report = (await h.store.getArtifact('default', input.scanId, 'report.json'))!;
    assert.equal(report.engineUsage?.incomplete, true);
    assert.equal(report.engineUsage?.stoppedBy, 'cost');
    assert.ok(report.engineUsage?.notDone?.length);
    const sarif = (await h.store.getArtifact('default', input.scanId, 'report.sarif'))!;
    assert.equal(sarif.runs[0].invocations[0].executionSuccessful, false);
    assert.match(sarif.runs[0].invocations[0].toolExecutionNotifications![0].message.text, /Stopped by the cost limit \(\$0\.03\)/);
    assert.match((await h.store.getArtifact('default', input.scanId, 'report.md'))!, /\*\*Incomplete scan\.\*\* Stopped by the cost limit/);
  });

  test('without a cost limit the same scan completes: coverage complete, nothing marked', async () => {
    const repo = gitRepoFromFixture(fixture, h.dir);
    s.script = countedUsage(thoroughBrain(fixtureFiles(repo), await fixtureLeads(repo)));
    const input = scanInput(h, repo, { engine: 'claude' });
    const status = await waitForStage(await startScan(h, input), ['awaiting_decisions'], 90_000);
    assert.equal(status.counts.claude!.incomplete, false);
    assert.equal(status.counts.claude!.stoppedBy, undefined);
    assert.equal(status.counts.claude!.spentUsd, undefined, 'no cost limit: the workflow prices nothing');
    assert.equal((await h.store.getArtifact('default', input.scanId, 'claude:usage'))!.incomplete, false);
  });
});

/** The fixture's vulnerabilities as the built-in engine finds them. */
async function fixtureLeads(repo: string): Promise<KnownVuln[]> {
  const files = fixtureFiles(repo);
  const reader = { paths: () => Object.keys(files).sort(), read: (p: string) => files[p] };
  const out = await createBuiltinEngine().analyse({ files: reader as never, scope: null });
  return out.candidates.map((c) => ({ file: c.location.file, line: c.location.startLine, cwe: c.cwe }));
}

function fixtureFiles(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(repo, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(join(repo, p), 'utf8');
    }
  };
  walk('');
  return out;
}
