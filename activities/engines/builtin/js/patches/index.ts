// Mechanical fixes for sink hits, as unified diffs. A builder returns text edits; the result must still
// parse, or no patch is offered.
import ts from 'typescript';
import { parses } from '../syntax.js';
import type { Patch } from '../../../../model.js';
import { createUnifiedDiff } from '../../../../patches/create-diff.js';
import type { SinkHit } from '../../summaries.js';
import type { JsProgram } from '../context.js';
import { commandEdits } from './command.js';
import { evalEdits } from './code.js';
import { applyEdits, findCall, type Edit } from './edit.js';
import { pathEdits } from './path.js';
import { sqlEdits } from './sql.js';
import { buildServerPatch, isServerPatch, SERVER_PATCH_DESCRIPTIONS } from './server.js';
import { assignedHtmlEdits, htmlEscapeEdits, logStripEdits, nosqlCoerceEdits, redirectEdits } from './web.js';

const DESCRIPTIONS: Record<NonNullable<SinkHit['patch']>, string> = {
  'sql-parameterise': 'Use a parameterised query: placeholders in the SQL text, request values in the parameters array.',
  'exec-to-execfile': 'Run the program with execFile and an argument array instead of a shell command line.',
  'path-confine': 'Resolve the path inside its base directory and refuse paths that escape it.',
  'eval-json': 'Parse the data with JSON.parse instead of evaluating it as code.',
  ...SERVER_PATCH_DESCRIPTIONS,
  'html-escape': 'HTML-escape the request values before they are written into the HTML response.',
  'redirect-local': 'Redirect only to same-site paths ("/x"); anything else (absolute or protocol-relative URLs) goes to "/".',
  'log-strip': 'Remove CR, LF and other control characters from request values before they are logged.',
  'nosql-coerce': 'Coerce the request values in the query filter to strings, so an object cannot smuggle query operators ({"$ne": null}).',
};

/** Apply the edits and diff; no patch when they fail, change nothing or no longer parse. */
function finish(path: string, sf: ts.SourceFile, kind: NonNullable<SinkHit['patch']>, build: () => Edit[] | undefined): Patch | undefined {
  try {
    const edits = build();
    if (!edits?.length) return undefined;
    const after = applyEdits(sf.text, edits);
    if (after === sf.text || !parses(path, after)) return undefined;
    return { file: path, diff: createUnifiedDiff(path, sf.text, after), description: DESCRIPTIONS[kind] };
  } catch {
    return undefined;
  }
}

export function buildPatch(prog: JsProgram, hit: SinkHit): Patch | undefined {
  if (!hit.patch) return undefined;
  const mod = prog.modules.get(hit.site.file);
  if (!mod) return undefined;
  const sf = mod.sf;
  if (isServerPatch(hit.patch)) return buildServerPatch(sf, mod.path, { ...hit, patch: hit.patch }); // patches/server.ts
  const call = findCall(sf, hit.site);
  // A property sink (`ctx.body = html`): the assigned value is escaped.
  if (!call) return hit.patch === 'html-escape' ? finish(mod.path, sf, hit.patch, () => assignedHtmlEdits(sf, hit.site)) : undefined;
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
      case 'html-escape':
        edits = htmlEscapeEdits(sf, call, hit.argIndex);
        break;
      case 'redirect-local':
        edits = redirectEdits(sf, call, hit.argIndex);
        break;
      case 'log-strip':
        edits = logStripEdits(sf, call, hit.argIndex);
        break;
      case 'nosql-coerce':
        edits = nosqlCoerceEdits(sf, call, hit.argIndex);
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
