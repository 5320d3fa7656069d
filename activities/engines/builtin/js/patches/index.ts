// Mechanical fixes for sink hits, as unified diffs. A builder returns text edits; the result must still
// parse, or no patch is offered.
import ts from 'typescript';
import type { Patch } from '../../../../model.js';
import { createUnifiedDiff } from '../../../../patches/create-diff.js';
import type { SinkHit } from '../../summaries.js';
import type { JsProgram } from '../program.js';
import { commandEdits } from './command.js';
import { evalEdits } from './code.js';
import { applyEdits, findCall, type Edit } from './edit.js';
import { pathEdits } from './path.js';
import { sqlEdits } from './sql.js';

const DESCRIPTIONS: Record<NonNullable<SinkHit['patch']>, string> = {
  'sql-parameterise': 'Use a parameterised query: placeholders in the SQL text, request values in the parameters array.',
  'exec-to-execfile': 'Run the program with execFile and an argument array instead of a shell command line.',
  'path-confine': 'Resolve the path inside its base directory and refuse paths that escape it.',
  'eval-json': 'Parse the data with JSON.parse instead of evaluating it as code.',
};

function parses(path: string, text: string): boolean {
  const out = ts.transpileModule(text, { fileName: path, reportDiagnostics: true, compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve } });
  return !(out.diagnostics ?? []).some((d) => d.category === ts.DiagnosticCategory.Error);
}

export function buildPatch(prog: JsProgram, hit: SinkHit): Patch | undefined {
  if (!hit.patch) return undefined;
  const mod = prog.modules.get(hit.site.file);
  if (!mod) return undefined;
  const sf = mod.sf;
  const call = findCall(sf, hit.site);
  if (!call) return undefined;
  let edits: Edit[] | undefined;
  try {
    switch (hit.patch) {
      case 'sql-parameterise':
        edits = sqlEdits(prog, sf, mod.path, call, hit.argIndex);
        break;
      case 'exec-to-execfile':
        edits = commandEdits(sf, call);
        break;
      case 'path-confine':
        edits = pathEdits(sf, call, hit.argIndex);
        break;
      case 'eval-json':
        edits = evalEdits(sf, call);
        break;
    }
    if (!edits?.length) return undefined;
    const after = applyEdits(sf.text, edits);
    if (after === sf.text || !parses(mod.path, after)) return undefined;
    return { file: mod.path, diff: createUnifiedDiff(mod.path, sf.text, after), description: DESCRIPTIONS[hit.patch] };
  } catch {
    return undefined; // overlapping or unexpected shapes: no mechanical fix
  }
}
