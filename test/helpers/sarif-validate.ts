// Validates a SARIF log with Microsoft's SARIF Multitool (the validator behind the SARIF web validator).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The npm package resolves to the platform's self-contained .NET executable; run it directly (its bin.js
// wrapper goes through a shell, which would mangle paths with spaces).
const multitool: string = createRequire(import.meta.url)('@microsoft/sarif-multitool');

export interface Validation {
  errors: string[];
  warnings: string[];
  notes: string[];
}

// SARIF2006 checks that every URI in the log answers an HTTP GET: a network call, not a property of the log.
const CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
`;

/** Validates `log` (an object or JSON text) in `workDir`; returns the validator's findings by level. */
export async function validateSarif(log: unknown, workDir: string): Promise<Validation> {
  mkdirSync(workDir, { recursive: true });
  const input = join(workDir, 'log.sarif');
  const output = join(workDir, 'validation.sarif');
  const config = join(workDir, 'validation-config.xml');
  writeFileSync(config, CONFIG);
  writeFileSync(input, typeof log === 'string' ? log : JSON.stringify(log, null, 2));
  // Exit status is 0 even when the log is invalid; the verdict is in the output log's results.
  const args = ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--level', 'Error;Warning;Note', '--config', config];
  await run(multitool, args, { timeout: 120_000 });
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[]; invocations?: { toolExecutionNotifications?: { level?: string; message: { text: string } }[] }[] }[];
  };
  const out: Validation = { errors: [], warnings: [], notes: [] };
  for (const r of report.runs[0].results ?? []) {
    const text = `${r.ruleId}: ${r.message.text ?? r.message.arguments?.join(' | ') ?? r.message.id}`;
    const level = r.level ?? 'warning'; // SARIF's default level
    (level === 'error' ? out.errors : level === 'warning' ? out.warnings : out.notes).push(text);
  }
  // A validator that crashed on the input reports it as a notification, not a result.
  for (const n of report.runs[0].invocations?.[0]?.toolExecutionNotifications ?? []) {
    if (n.level === 'error') out.errors.push(`tool: ${n.message.text}`);
  }
  return out;
}

