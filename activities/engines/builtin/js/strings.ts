// Judging string transformations by running them on attacker samples (models/rules.ts): a regex
// replace or an allow-list regex neutralises a class when no sample survives it dangerous.
import { RULE_IDS, RULES } from '../models/rules.js';
import type { RuleId } from '../models/types.js';

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

/** `s.replace(/re/flags, replacement)`. */
export function judgeReplace(source: string, flags: string, replacement: string): Judgement {
  const re = compile(source, flags);
  const out: Judgement = { cuts: [], partial: [] };
  if (!re) return out;
  for (const id of RULE_IDS) {
    const rule = RULES[id];
    const outputs = rule.samples.map((s) => s.replace(re, replacement));
    if (outputs.every((o) => !rule.dangerous(o))) out.cuts.push(id);
    else if (outputs.some((o, i) => o !== rule.samples[i])) out.partial.push(id);
  }
  return out;
}

/** `if (/re/.test(s))`: in the true branch s matched; a class is cut when no sample matches. */
export function judgeTest(source: string, flags: string): RuleId[] {
  const re = compile(source, flags.replace(/[gy]/g, ''));
  if (!re) return [];
  return RULE_IDS.filter((id) => RULES[id].samples.every((s) => !re.test(s)));
}

const SQL_WORDS = /\b(select|insert|update|delete|create|drop|alter|where|from|values|pragma|union|truncate|merge|call)\b/i;

/** Known text that reads like SQL (used when a SQL client is recognised only by its name). */
export const looksLikeSql = (text: string | undefined) => text !== undefined && SQL_WORDS.test(text.replace(/\u0000/g, ' '));
