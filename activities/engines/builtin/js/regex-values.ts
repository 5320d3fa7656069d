// Regular expressions built at run time from constant text (`new RegExp('^\\s+$', 'i')`, `RegExp(A + '|' + B)`,
// `new RegExp(/x/.source, 'g')`): the result is a regex value like a literal's, so the sinks that judge a
// pattern's backtracking (models/sinks-server.ts, catastrophic-regex) see it wherever it is used later.
import type { CallInfo } from './callee-match.js';
import type { Value } from '../values.js';

const isRegExpGlobal = (call: CallInfo) => !call.method && (call.callee.ext ?? []).some((e) => e.module === '<global>' && e.path.length === 1 && e.path[0] === 'RegExp');

/** The regex a `RegExp(...)` call makes, when its pattern and flags are known; undefined otherwise. */
export function constructedRegex(call: CallInfo, args: Value[]): Value | undefined {
  if (!isRegExpGlobal(call)) return undefined;
  const [pattern, flagArg] = args;
  if (!pattern) return undefined;
  // Flags the caller chose cannot be judged: only literal flags (or none) count.
  if (flagArg && !(flagArg.constant && flagArg.text !== undefined)) return undefined;
  const flags = flagArg?.text;
  if (pattern.regex) return { flows: [], regex: { source: pattern.regex.source, flags: flags ?? pattern.regex.flags } };
  // A pattern with a part of unknown text (a parameter, a non-constant call) is another matter: regex injection.
  if (!pattern.constant || pattern.text === undefined || pattern.text.includes('\u0000') || pattern.flows.length) return undefined;
  return { flows: [], regex: { source: pattern.text, flags: flags ?? '' } };
}

/**
 * `['ms', 'secs?', …].join('|')` of an array literal of constants: constant text (patterns are often built
 * from keyword lists). Undefined when an element is not constant or was added where the list cannot see it.
 */
export function constantJoin(call: CallInfo, args: Value[]): Value | undefined {
  if (call.method !== 'join' || !call.receiver?.props || call.receiver.flows.length) return undefined;
  const sep = args[0];
  if (sep && !(sep.constant && sep.text !== undefined)) return undefined;
  const props = call.receiver.props;
  const all = props.get('*');
  if (all?.flows.length || all?.fns?.length || all?.ext?.length) return undefined;
  const parts: string[] = [];
  for (let i = 0; props.has(String(i)); i++) {
    const v = props.get(String(i))!;
    if (!v.constant || v.text === undefined || v.text.includes('\u0000')) return undefined;
    parts.push(v.text);
  }
  // Every member is an index counted above or the joined element summary: nothing else was stored.
  if (!parts.length || props.size !== parts.length + 1) return undefined;
  return { flows: [], text: parts.join(sep?.text ?? ','), constant: true };
}
