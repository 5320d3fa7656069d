// Judging string transformations by running them on attacker samples (models/rules.ts): a regex
// replace or an allow-list regex neutralises a class when no sample survives it dangerous.
import { RULE_IDS, RULES } from '../models/rules.js';
import type { RuleId } from '../models/types.js';
import { matchesWholeInput } from './regex-safety.js';

function compile(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}

export interface Judgement {
  cuts: RuleId[];
  /** Classes the transformation changed samples of without neutralising them (bypassable filtering). */
  partial: RuleId[];
}

/** A replace already applied to a value: [source, flags, replacement]. */
export type ReplaceStep = [string, string, string];

/** Flow tag prefix recording a replace, so a chain (`.replace(/&/g, '&amp;').replace(/</g, '&lt;')...`) is judged as a whole. */
export const REPLACE_TAG = 'replaced:';
const MAX_CHAIN = 8;

/** The replaces every flow of `flows` went through, in order (none when they differ). */
export function replaceHistory(flows: { tags: string[] }[]): ReplaceStep[] {
  const seqs = flows.map((f) => f.tags.filter((t) => t.startsWith(REPLACE_TAG)).join('\n'));
  if (!seqs.length || seqs.some((s) => s !== seqs[0]) || !seqs[0]) return [];
  return seqs[0].split('\n').slice(-MAX_CHAIN).map((t) => JSON.parse(t.slice(REPLACE_TAG.length)) as ReplaceStep);
}

export const replaceTag = (step: ReplaceStep) => `${REPLACE_TAG}${JSON.stringify(step)}`;

/** `s.replace(/re/flags, replacement)`, after the replaces `prior` (a chain is judged as a whole). */
export function judgeReplace(source: string, flags: string, replacement: string, prior: ReplaceStep[] = []): Judgement {
  const re = compile(source, flags);
  const out: Judgement = { cuts: [], partial: [] };
  if (!re) return out;
  const before = prior.map(([s, f, r]) => [compile(s, f), r] as const);
  const applyPrior = (s: string) => before.reduce((acc, [r, rep]) => (r ? acc.replace(r, rep) : acc), s);
  for (const id of RULE_IDS) {
    const rule = RULES[id];
    const outputs = rule.samples.map((s) => applyPrior(s).replace(re, replacement));
    if (outputs.every((o) => !rule.dangerous(o))) out.cuts.push(id);
    else if (outputs.some((o, i) => o !== rule.samples[i])) out.partial.push(id);
  }
  return out;
}

/**
 * `if (/re/.test(s))`: in the true branch s matched; a class is cut when no sample matches. Only a pattern
 * that spans the whole text (`^...$`) constrains it: `/\u001b\[/.test(s)` holds for any text around the match.
 */
export function judgeTest(source: string, flags: string): RuleId[] {
  const re = compile(source, flags.replace(/[gy]/g, ''));
  if (!re || !matchesWholeInput(source, flags)) return [];
  return RULE_IDS.filter((id) => RULES[id].samples.every((s) => !re.test(s)));
}

const SQL_WORDS = /\b(select|insert|update|delete|create|drop|alter|where|from|values|pragma|union|truncate|merge|call)\b/i;

/** Known text that reads like SQL (used when a SQL client is recognised only by its name). */
export const looksLikeSql = (text: string | undefined) => text !== undefined && SQL_WORDS.test(text.replace(/\u0000/g, ' '));
