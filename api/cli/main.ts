// `vigil` — scan from the terminal, decide on findings, read a scan's history, or serve the API.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BulkDecisionInput, FindingFilter, ScanInput, ScanStage } from '../../workflows/definitions.js';
import type { SourceRequest } from '../scan-requests.js';
import type { Backend } from './backend.js';
import { chooseBackend } from './choose-backend.js';
import { EXIT_FINDINGS, EXIT_INCOMPLETE, baselineFor, gateFailures, incompleteCoverage, parseSeverity } from './fail-on.js';
import { OUTPUT_FORMATS, formatFindings, type OutputFormat } from './format.js';
import { formatEstimate } from './estimate-format.js';
import { formatEvents, formatHistory } from './history-format.js';
import { createProgress } from './progress.js';
import { CliError } from './cli-error.js';
import { usePrivateUmask } from '../../infra/private-files.js';
import { mark } from '../../infra/timings.js';

const USAGE = `Usage:
  vigil scan <path|git-url> [--ref REF] [--engine builtin|claude] [--format table|json|sarif|markdown] [--output FILE]
             [--fail-on critical|high|medium|low] [--baseline report.json]
             [--model ID] [--effort low|medium|high] [--budget-tokens N] [--max-cost USD]   (Claude engine settings)
             [--estimate]            (Claude: print the planned passes, tokens and cost range; run no research)
             [--allow-incomplete]    (exit 0 even when a limit cut the scan short)
  vigil decide <scan-id> <finding-id> approve|reject [--comment TEXT]
  vigil decide <scan-id> approve|reject [--rule ID] [--cwe CWE-N] [--path-prefix DIR] [--severity LIST]
               [--ids ID,ID…] [--dry-run] [--comment TEXT]      (many findings in one decision)
  vigil history <scan-id> [--summary | --json]
  vigil events [--follow] [--type TYPE,TYPE…] [--format text|json] [--after CURSOR] [--limit N]
  vigil tenant delete --confirm <tenant> [--cancel-running] [--json]
                          (deletes all of the tenant's data; irreversible; its API keys are kept)
  vigil serve [--port 8787] [--host 127.0.0.1] [--no-worker]
  vigil worker

Without a running \`vigil serve\`, commands start the Temporal dev server of the data directory
(VIGIL_DATA_DIR, default ~/.vigil) and run a worker in-process while they last.

--fail-on exits with ${EXIT_FINDINGS} when a finding at or above that severity is pending or approved; with
--baseline (a report.json from an earlier scan) only findings new since then count, and are marked.
A scan that --budget-tokens or --max-cost cut short (coverage incomplete) exits with ${EXIT_INCOMPLETE}, whatever --fail-on
says (${EXIT_FINDINGS} wins when both apply), unless --allow-incomplete.
Progress is a bar on a terminal and plain lines otherwise (or with CI=true).`;

const SETTLED: ScanStage[] = ['awaiting_decisions', 'completed', 'failed'];

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

export async function main(argv: string[]): Promise<number> {
  mark('cli.loaded');
  usePrivateUmask(); // whatever Vigil or its children write in the data directory is private
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await scanCommand(rest);
      case 'decide':
        return await decideCommand(rest);
      case 'history':
        return await historyCommand(rest);
      case 'events': {
        const { eventsCommand } = await import('./events-command.js');
        return await eventsCommand(rest);
      }
      case 'tenant':
        return await tenantCommand(rest);
      case 'serve': {
        const { serveCommand } = await import('./serve.js');
        return await serveCommand(rest);
      }
      case 'worker': {
        const { runWorkerProcess } = await import('../../workers/main.js');
        await runWorkerProcess();
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command ? 0 : 2;
      default:
        log(`vigil: unknown command "${command}".\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof CliError) {
      log(`vigil: ${err.message}`);
      return 1;
    }
    const e = err as Error & { cause?: Error };
    log(`vigil: ${e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`);
    return 1;
  }
}

/** A git URL (scheme://, transport::address, or scp-like user@host:path) or else a local directory. */
function sourceOf(target: string, ref?: string): SourceRequest {
  const isUrl = /^[a-z][a-z0-9+.-]*(:\/\/|::)/i.test(target) || /^[^/\s]+@[^/\s]+:/.test(target);
  return isUrl ? { url: target, ...(ref !== undefined ? { ref } : {}) } : { path: resolve(target) };
}

async function withBackend<T>(fn: (b: Backend) => Promise<T>): Promise<T> {
  const backend = await chooseBackend({ log });
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

/** Per-scan Claude settings from flags; the worker's environment supplies whatever is left out. */
function claudeSettings(v: { model?: string; effort?: string; 'budget-tokens'?: string; 'max-cost'?: string }): ScanInput['claude'] {
  if (v.effort !== undefined && !['low', 'medium', 'high'].includes(v.effort)) {
    throw new CliError(`--effort must be low, medium or high (got ${v.effort}).`);
  }
  const budget = v['budget-tokens'] === undefined ? undefined : Number(v['budget-tokens']);
  if (budget !== undefined && (!Number.isInteger(budget) || budget < 1000)) {
    throw new CliError(`--budget-tokens must be a whole number of at least 1000 (got ${v['budget-tokens']}).`);
  }
  const maxCost = v['max-cost'] === undefined ? undefined : Number(v['max-cost']);
  if (maxCost !== undefined && !(v['max-cost']!.trim() !== '' && Number.isFinite(maxCost) && maxCost > 0 && maxCost <= 1_000_000)) {
    throw new CliError(`--max-cost must be a positive number of US dollars, at most 1000000 (got ${v['max-cost']}).`);
  }
  const settings = {
    ...(v.model ? { model: v.model } : {}),
    ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
    ...(v.effort ? { effort: v.effort as 'low' | 'medium' | 'high' } : {}),
    ...(budget !== undefined ? { budgetTokens: budget } : {}),
  };
  return Object.keys(settings).length ? settings : undefined;
}

async function scanCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ref: { type: 'string' },
      engine: { type: 'string', default: 'builtin' },
      format: { type: 'string', default: 'table' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      baseline: { type: 'string' },
      model: { type: 'string' },
      effort: { type: 'string' },
      'budget-tokens': { type: 'string' },
      'max-cost': { type: 'string' },
      estimate: { type: 'boolean' },
      'allow-incomplete': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new CliError(`scan takes one path or git URL.\n${USAGE}`);
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new CliError(`--format must be table, json, sarif or markdown (got ${format}).`);
  const failOn = values['fail-on'] === undefined ? undefined : parseSeverity(values['fail-on']);
  const engine = values.engine as 'builtin' | 'claude';
  if (!['builtin', 'claude'].includes(engine)) throw new CliError(`--engine must be builtin or claude (got ${engine}).`);
  const source = sourceOf(positionals[0], values.ref);
  const claude = claudeSettings(values);
  if (values.estimate) {
    if (engine !== 'claude') throw new CliError('--estimate is for --engine claude (the built-in engine spends no tokens).');
    if (format !== 'table' && format !== 'json') throw new CliError('--estimate prints as table or json.');
    return withBackend(async (backend) => {
      const answer = await backend.estimate(source, claude);
      const out = format === 'json' ? JSON.stringify(answer, null, 2) + '\n' : formatEstimate(answer);
      if (values.output) writeFileSync(values.output, out);
      else process.stdout.write(out);
      log(`vigil: estimate ${answer.estimateId}; no research ran (the threat-model pass spent ${answer.estimate.threatModel.tokens} tokens)`);
      return 0;
    });
  }

  return withBackend(async (backend) => {
    const started = await backend.startScan(source, engine, claude);
    log(`vigil: scan ${started.scanId}${started.deduplicated ? ' (already running for this revision)' : ''} via ${backend.mode} backend`);
    // Loaded here, not at start: it brings the SDK's protobuf definitions, which `--help` and argument errors never need.
    const { describeProgress } = await import('../stage-progress.js');
    const progress = createProgress(process.stderr);
    let status;
    // Polled often right after a stage changes (a small scan's stages take milliseconds), then less often
    // (up to every 300 ms) while a long stage runs.
    let sinceChange = 0;
    let lastStage: ScanStage | undefined;
    try {
      for (;;) {
        status = await backend.status(started.scanId);
        sinceChange = status?.stage === lastStage ? sinceChange + 1 : 0;
        lastStage = status?.stage;
        // Within a long stage the bar shows its heartbeat counts (files read, files analysed of a total).
        const inside = status && !SETTLED.includes(status.stage) ? describeProgress(await backend.progress(started.scanId)) : '';
        if (status) progress.update(status.stage, progressNote(status) + inside);
        if (status && SETTLED.includes(status.stage)) break;
        await new Promise((r) => setTimeout(r, Math.min(300, 25 * 1.5 ** sinceChange)));
      }
    } finally {
      progress.done();
    }
    mark('scan.settled');
    if (status.stage === 'failed') throw new CliError(`scan ${started.scanId} failed: ${status.error ?? 'see `vigil history`'}`);
    const findings = await backend.findings(started.scanId);
    const baseline = baselineFor(findings, values.baseline);
    const incomplete = incompleteCoverage(status.counts.claude);
    const out = formatFindings(
      findings,
      format,
      { scanId: started.scanId, tenant: status.tenant, repoKey: status.repoKey, stage: status.stage },
      { baseline, ...(incomplete ? { incomplete } : {}) },
    );
    if (values.output) {
      writeFileSync(values.output, out);
      log(`vigil: wrote ${findings.length} finding(s) as ${format} to ${values.output}`);
    } else {
      process.stdout.write(out);
    }
    const links = await backend.links(started.scanId);
    if (status.stage === 'awaiting_decisions') {
      log(`vigil: awaiting decisions — \`vigil decide ${started.scanId} <finding-id> approve|reject\``);
    }
    if (links.temporalUi) log(`vigil: workflow in the Temporal Web UI: ${links.temporalUi}`);
    if (failOn) {
      const failing = gateFailures(findings, failOn, baseline);
      if (failing.length > 0) {
        log(`vigil: ${failing.length} ${baseline ? 'new ' : ''}finding(s) at or above ${failOn} are pending or approved; exit ${EXIT_FINDINGS}`);
        return EXIT_FINDINGS;
      }
      log(`vigil: no ${baseline ? 'new ' : ''}finding at or above ${failOn} (pending or approved)`);
    }
    if (incomplete) {
      if (values['allow-incomplete']) log(`vigil: coverage incomplete (allowed): ${incomplete}`);
      else {
        log(`vigil: coverage incomplete: ${incomplete} Exit ${EXIT_INCOMPLETE} (--allow-incomplete to accept a partial scan)`);
        return EXIT_INCOMPLETE;
      }
    }
    mark('cli.output');
    return 0;
  });
}

function progressNote(s: { counts: object; stage: ScanStage }): string {
  const c = s.counts as {
    snapshot?: { files: number };
    merkle?: { added: number; changed: number; removed: number };
    reasoning?: { filesAnalysed: number; candidates: number };
    verification?: { confirmed: number; rejected: number; uncertain: number };
    scoring?: { findings: number };
  };
  switch (s.stage) {
    case 'merkle_sync':
      return c.snapshot ? ` (${c.snapshot.files} files snapshotted)` : '';
    case 'reasoning':
      return c.merkle ? ` (${c.merkle.added} added, ${c.merkle.changed} changed, ${c.merkle.removed} removed)` : '';
    case 'verification':
      return c.reasoning ? ` (${c.reasoning.filesAnalysed} files analysed, ${c.reasoning.candidates} candidates)` : '';
    case 'scoring':
      return c.verification ? ` (${c.verification.confirmed} confirmed, ${c.verification.uncertain} uncertain, ${c.verification.rejected} rejected)` : '';
    case 'awaiting_decisions':
    case 'completed':
      return c.scoring ? ` (${c.scoring.findings} findings)` : '';
    default:
      return '';
  }
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** The bulk selection the options name, or undefined when they name none (a single decision). */
function bulkSelection(values: {
  rule?: string;
  cwe?: string;
  'path-prefix'?: string;
  severity?: string;
  ids?: string;
}): Pick<BulkDecisionInput, 'findingIds' | 'filter'> | undefined {
  const ids = values.ids?.split(',').map((s) => s.trim()).filter(Boolean);
  const severity = values.severity?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const s of severity ?? []) {
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new CliError(`--severity takes ${SEVERITIES.join(', ')} (comma-separated), not "${s}".`);
  }
  const filter: FindingFilter = {
    ...(values.rule ? { ruleId: values.rule } : {}),
    ...(values.cwe ? { cwe: values.cwe.toUpperCase() } : {}),
    ...(values['path-prefix'] ? { pathPrefix: values['path-prefix'] } : {}),
    ...(severity?.length ? { severity: severity as FindingFilter['severity'] } : {}),
  };
  const byFilter = Object.keys(filter).length > 0;
  if (ids?.length && byFilter) throw new CliError('Name findings either with --ids or with filter options (--rule, --cwe, --path-prefix, --severity), not both.');
  if (ids?.length) return { findingIds: ids };
  return byFilter ? { filter } : undefined;
}

async function decideCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      comment: { type: 'string', short: 'm' },
      rule: { type: 'string' },
      cwe: { type: 'string' },
      'path-prefix': { type: 'string' },
      severity: { type: 'string' },
      ids: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
  const selection = bulkSelection(values);
  if (selection) {
    const [scanId, decision] = positionals;
    if (!scanId || positionals.length !== 2 || (decision !== 'approve' && decision !== 'reject')) {
      throw new CliError(`decide with a filter or --ids takes <scan-id> approve|reject.\n${USAGE}`);
    }
    return withBackend(async (backend) => {
      const dryRun = Boolean(values['dry-run']);
      const r = await backend.decideMany(scanId, selection, decision, { comment: values.comment, dryRun });
      const verb = dryRun ? 'would be' : 'now';
      log(`vigil: ${r.matched} finding(s) matched; ${r.changed.length} ${verb} ${r.status}, ${r.unchanged} already ${r.status}, ${r.conflicts.length} decided the other way (kept)`);
      for (const id of r.changed) process.stdout.write(`${id}\n`);
      for (const c of r.conflicts) log(`vigil: conflict: ${c.findingId} is ${c.status}${c.decidedBy ? ` by ${c.decidedBy}` : ''}`);
      if (dryRun) log('vigil: dry run, nothing recorded');
      else if (r.changed.length > 0) await settleAfterDecision(backend, scanId);
      return 0;
    });
  }
  if (values['dry-run']) throw new CliError('--dry-run goes with a filter or --ids (a bulk decision).');
  const [scanId, findingId, decision] = positionals;
  if (!scanId || !findingId || (decision !== 'approve' && decision !== 'reject')) {
    throw new CliError(`decide takes <scan-id> <finding-id> approve|reject.\n${USAGE}`);
  }
  return withBackend(async (backend) => {
    const r = await backend.decide(scanId, findingId, decision, values.comment);
    log(`vigil: finding ${findingId} ${r.status}${r.changed ? '' : ' (already recorded)'}`);
    await settleAfterDecision(backend, scanId);
    return 0;
  });
}

/** Locally, keeps the worker up until the scan has moved on (applied, or waiting for the next decision). */
async function settleAfterDecision(backend: Backend, scanId: string): Promise<void> {
  // Locally, keep the worker up until the scan has moved on (applied, or waiting for the next decision).
  for (let i = 0; i < 600; i++) {
    const s = await backend.status(scanId);
    if (s && (s.stage === 'completed' || s.stage === 'failed' || (s.stage === 'awaiting_decisions' && s.findings.some((f) => f.status === 'pending')))) {
      if (s.stage === 'completed') {
        log(`vigil: scan completed${s.counts.apply?.branch ? `; approved fixes are on branch ${s.counts.apply.branch}` : ''}`);
      } else if (s.stage === 'awaiting_decisions') {
        log(`vigil: ${s.findings.filter((f) => f.status === 'pending').length} finding(s) still await a decision`);
      } else {
        throw new CliError(`scan ${scanId} failed: ${s.error ?? 'see `vigil history`'}`);
      }
      break;
    }
    if (backend.mode === 'remote') break;
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function historyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, summary: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new CliError(`history takes one scan id.\n${USAGE}`);
  return withBackend(async (backend) => {
    const events = await backend.history(positionals[0]);
    // By stage first (attempts, durations, failures), then every event unless --summary.
    const text = values.json
      ? JSON.stringify(events, null, 2) + '\n'
      : formatHistory(events) + (values.summary ? '' : `\nEvents:\n${formatEvents(events)}`);
    process.stdout.write(text);
    return 0;
  });
}

/**
 * `vigil tenant delete --confirm <tenant>`: the API's key's tenant through a running server (its key needs the
 * admin role), else VIGIL_TENANT (default "default") of the data directory.
 */
async function tenantCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      confirm: { type: 'string' },
      'cancel-running': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'delete' || positionals.length !== 1) {
    throw new CliError('Usage: vigil tenant delete --confirm <tenant> [--cancel-running] [--json]');
  }
  if (!values.confirm) {
    throw new CliError("Deleting a tenant's data cannot be undone: name the tenant with --confirm <tenant> to confirm. Nothing was deleted.");
  }
  const confirm = values.confirm;
  return withBackend(async (backend) => {
    const r = await backend.deleteTenant({ confirm, cancelRunning: values['cancel-running'] });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    const d = r.deleted;
    if (r.cancelledScans.length) log(`vigil: cancelled ${r.cancelledScans.length} open scan(s): ${r.cancelledScans.map((s) => s.scanId ?? s.workflowId).join(', ')}`);
    process.stdout.write(
      `Deleted the data of tenant ${r.tenant}: ${d.scans} scan(s), ${d.snapshots} snapshot(s), ${d.blobs} file content(s), ` +
        `${d.artifacts} artefact(s), ${d.decisions} decision(s), ${d.ledgerEntries} ledger entr${d.ledgerEntries === 1 ? 'y' : 'ies'}, ` +
        `${d.events} event(s), ${d.vectors} decision vector(s), ${d.workflows} workflow run(s), ${d.other} other row(s).\n` +
        `Recorded event ${r.eventId} (dev.vigil.tenant.deleted.v1).\n` +
        r.kept.map((k) => `Kept: ${k}\n`).join(''),
    );
    return 0;
  });
}
