// Stage 8: the final report, stored as JSON and SARIF 2.1.0.
import type { ActivityDeps, ScanIds } from './shared.js';
import { compareToBaseline } from '../report/baseline.js';
import { previousCompletedReport } from '../report/previous-report.js';
import { toJsonReport } from '../report/json-report.js';
import { incompleteSentence, toMarkdown } from '../report/markdown.js';
import { toSarif } from '../report/sarif.js';
import { maskDeep, maskText } from '../secrets/mask.js';
import { VIGIL_VERSION } from '../version.js';
import { findingsView } from '../findings-view.js';
import { filesNamedBy, openSourceFiles } from '../source-files.js';
import { nonRetryable } from '../errors.js';
import { scanCompleted, stageCompleted, stageStarted } from '../events/scan-events.js';

export async function reportStage(deps: ActivityDeps, input: ScanIds & { snapshotId: string }) {
  const { store } = deps;
  await store.appendEvents([stageStarted(input, 'reporting')]);
  // Decisions taken in this scan are the truth for the report; the scored copy predates them.
  const decided = await findingsView(store, input);
  if (!decided) throw nonRetryable('ScanStateError', `Scan ${input.scanId} has no findings; the scoring stage must run first.`);
  const scan = await store.getScan(input.tenant, input.scanId);
  const apply = await store.getArtifact(input.tenant, input.scanId, 'apply-result');
  const scope = await store.getArtifact(input.tenant, input.scanId, 'scope');
  const diff = await store.getArtifact(input.tenant, input.scanId, 'merkle-diff');
  const patchSeries = await store.getArtifact(input.tenant, input.scanId, 'patch-series');
  const snapshot = await store.getSnapshot(input.tenant, input.snapshotId);
  const meta = {
    scanId: input.scanId,
    tenant: input.tenant,
    repoKey: input.repoKey,
    commit: snapshot?.commit,
    snapshotId: input.snapshotId,
    requestedBy: scan?.requestedBy,
    startedAt: scan?.createdAt,
    finishedAt: new Date().toISOString(),
  };
  // New / unchanged / fixed against the previous completed scan of this repository.
  const baseline = compareToBaseline(decided, await previousCompletedReport(store, input.tenant, input.repoKey, input.scanId));
  // Engines that spend model tokens leave a usage ledger; the report shows tokens, cost and coverage.
  const engineUsage = await store.getArtifact(input.tenant, input.scanId, 'claude:usage');
  const unavailable = (await store.getArtifact(input.tenant, input.scanId, 'retrieval-status'))?.reason;
  const retrieval = unavailable ? { reason: unavailable } : undefined;
  // Reports leave Vigil (API, CLI, CI uploads): every text in them is masked; the stored findings keep the real patch for apply.
  const json = maskDeep(toJsonReport({ scan: meta, findings: decided, apply, scope, merkle: diff, patchSeries, baseline, engineUsage, retrieval }));
  const sarif = maskDeep(toSarif({
    findings: decided,
    tool: { name: 'Vigil', version: VIGIL_VERSION },
    scan: meta,
    // With the scanned text, patches become SARIF `fixes` and results carry code snippets.
    sources: snapshot ? (await openSourceFiles(store, snapshot).load(filesNamedBy(decided))).read : undefined,
    baselineStates: baseline?.states,
    ...(engineUsage?.incomplete ? { incomplete: incompleteSentence(engineUsage) } : {}),
  }));
  await store.putArtifact(input.tenant, input.scanId, 'report.json', json);
  await store.putArtifact(input.tenant, input.scanId, 'report.sarif', sarif);
  await store.putArtifact(input.tenant, input.scanId, 'report.md', maskText(toMarkdown(json)));
  const formats = ['json', 'sarif', 'markdown'];
  await store.appendEvents([stageCompleted(input, 'reporting', { formats: formats.length }), scanCompleted(input, decided)]);
  return { formats };
}
