// The agentic tool-use loop (cf. the SDK's examples/tools.ts, looped with a turn cap): on tool_use, run
// the read-only tools, answer with tool_result blocks keyed by tool_use_id, call again. The pass ends when
// the model hands its result to the role's output tool, validated; malformed output is sent back once as
// an is_error result, and dropped the second time.
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { addUsage, budgetTokens, ZERO_USAGE, type TokenUsage } from './config.js';
import { priceOf } from './prices.js';
import { callModel, UnreadableOutputError, type CallResult, type ModelClient } from './client.js';
import { SYSTEM, TOOLSETS, type Role } from './prompts.js';
import { toolInputProblem } from './grounding.js';
import type { Validation } from './schemas.js';
import { ToolInputError, type ToolRunner } from './tools.js';

/** Token spending for one pass: what earlier attempts spent, and what this pass may spend in all. */
export interface Meter {
  allowance: number;
  spent(): number;
  /** Dollars this pass may still spend (its cost allowance less what it spent); absent: no cost limit. */
  usdLeft?(): number;
  charge(usage: TokenUsage): Promise<void>;
}

export interface LoopInput<T> {
  client: ModelClient;
  model: string;
  role: Role;
  prompt: string;
  maxTurns: number;
  maxTokens: number;
  finalTool: string;
  /** May read files first (a finding's cited lines are checked against the snapshot). */
  validate(input: unknown): Validation<T> | Promise<Validation<T>>;
  tools: ToolRunner;
  meter: Meter;
  stream?: boolean;
  signal?: AbortSignal;
  secrets?: string[];
  onTurn?(turn: number): void;
}

export interface LoopResult<T> {
  value?: T;
  /** Malformed outputs received (0, 1 or 2). */
  malformed: number;
  /** The output was malformed twice and dropped. */
  dropped: boolean;
  turns: number;
  usage: TokenUsage;
  /** Stopped because the pass's token allowance could not pay for another call. */
  budgetStopped: boolean;
  /** Which allowance stopped it: tokens (the token budget) or cost (--max-cost). */
  stoppedBy?: 'tokens' | 'cost';
  /** Tool calls refused before any tool saw them (over-long, or not a JSON object): the tool-input check. */
  toolInputRejected: number;
}

const MIN_OUTPUT_TOKENS = 256;

/** The stable prefix (tools, then system) with cache breakpoints on its last tool and system block. */
export function stablePrefix(role: Role): { system: TextBlockParam[]; tools: Tool[] } {
  const tools = TOOLSETS[role].map((t, i, all) => (i === all.length - 1 ? { ...t, cache_control: { type: 'ephemeral' as const } } : t));
  return { system: [{ type: 'text', text: SYSTEM[role], cache_control: { type: 'ephemeral' } }], tools };
}

export async function runToolLoop<T>(input: LoopInput<T>): Promise<LoopResult<T>> {
  const { system, tools } = stablePrefix(input.role);
  const prefixChars = JSON.stringify({ system, tools }).length;
  const messages: MessageParam[] = [{ role: 'user', content: input.prompt }];
  const result: LoopResult<T> = { malformed: 0, dropped: false, turns: 0, usage: { ...ZERO_USAGE }, budgetStopped: false, toolInputRejected: 0 };
  let force = false;
  // An output accepted in part (some of it rejected), kept while the model has its one chance to correct it.
  let partial: { value: T } | undefined;
  while (result.turns < input.maxTurns) {
    // Never start a call the allowance cannot pay for: input estimated at 4 characters a token, output
    // capped by max_tokens.
    const estimate = Math.ceil((prefixChars + JSON.stringify(messages).length) / 4);
    const tokensLeft = input.meter.allowance - input.meter.spent() - estimate;
    // Under a cost limit: the output this call may still pay for, its input priced as uncached (or a cache write,
    // whichever costs more) — so a call is never started that could take the pass over its dollars.
    const usdLeft = input.meter.usdLeft?.();
    const price = priceOf(input.model);
    const costRoom = usdLeft === undefined ? Infinity : Math.floor(((usdLeft - (estimate * Math.max(price.input, price.cacheWrite)) / 1e6) * 1e6) / price.output);
    const left = Math.min(tokensLeft, costRoom);
    if (left < MIN_OUTPUT_TOKENS) {
      result.budgetStopped = true;
      result.stoppedBy = costRoom < tokensLeft ? 'cost' : 'tokens';
      break;
    }
    const lastTurn = result.turns === input.maxTurns - 1;
    const params: MessageCreateParamsNonStreaming = {
      model: input.model,
      max_tokens: Math.min(input.maxTokens, left),
      system,
      tools,
      messages,
      ...(force || lastTurn ? { tool_choice: { type: 'tool' as const, name: input.finalTool } } : {}),
    };
    input.onTurn?.(result.turns);
    let call: CallResult;
    try {
      call = await callModel(input.client, params, { signal: input.signal, stream: input.stream, secrets: input.secrets });
    } catch (err) {
      if (!(err instanceof UnreadableOutputError)) throw err;
      // A tool input that is not JSON: refused (the tool-input check), charged as the call's estimated input, and
      // the model told so, once per turn; the turn cap bounds a model that keeps doing it.
      result.turns++;
      result.toolInputRejected++;
      const usage = { ...ZERO_USAGE, calls: 1, inputTokens: estimate };
      result.usage = addUsage(result.usage, usage);
      await input.meter.charge(usage);
      appendNote(messages, `Your last answer could not be read (${err.message}). Tool inputs must be JSON objects; answer again.`);
      continue;
    }
    const { message, usage } = call;
    result.turns++;
    result.usage = addUsage(result.usage, usage);
    await input.meter.charge(usage);
    messages.push({ role: 'assistant', content: message.content as ContentBlockParam[] });

    const uses = message.content.filter((b) => b.type === 'tool_use');
    if (uses.length === 0) {
      // The model stopped without its answer: ask for it through the output tool, once.
      if (force) break;
      force = true;
      messages.push({ role: 'user', content: `Give your answer now with the ${input.finalTool} tool.` });
      continue;
    }
    const results: ToolResultBlockParam[] = [];
    let finished = false;
    for (const use of uses) {
      const inputProblem = toolInputProblem(use.input);
      if (inputProblem) {
        result.toolInputRejected++;
        results.push({ type: 'tool_result', tool_use_id: use.id, is_error: true, content: `Refused: ${inputProblem}.` });
        if (use.name === input.finalTool) {
          result.malformed++;
          if (result.malformed >= 2) {
            result.dropped = true;
            finished = true;
          }
          force = true;
        }
        continue;
      }
      if (use.name === input.finalTool) {
        const v = await input.validate(use.input);
        if (v.ok && v.problems && result.malformed === 0) {
          // Usable, but with parts rejected: the model gets one chance to correct them; this stands otherwise.
          result.malformed++;
          partial = { value: v.value };
          results.push({
            type: 'tool_result',
            tool_use_id: use.id,
            is_error: true,
            content: `Some of your ${input.finalTool} input was rejected: ${v.problems}. Call ${input.finalTool} again with the complete corrected input (leave out what you cannot support with the code as it is).`,
          });
          force = true;
          continue;
        }
        if (v.ok) {
          result.value = v.value;
          finished = true;
          results.push({ type: 'tool_result', tool_use_id: use.id, content: 'Recorded.' });
        } else {
          result.malformed++;
          if (result.malformed >= 2) {
            result.dropped = true;
            finished = true;
          }
          results.push({
            type: 'tool_result',
            tool_use_id: use.id,
            is_error: true,
            content: `Invalid ${input.finalTool} input: ${v.error}. Call ${input.finalTool} again with input that matches its schema.`,
          });
          force = true;
        }
        continue;
      }
      try {
        results.push({ type: 'tool_result', tool_use_id: use.id, content: await input.tools(use.name, (use.input ?? {}) as Record<string, unknown>) });
      } catch (err) {
        if (!(err instanceof ToolInputError)) throw err;
        results.push({ type: 'tool_result', tool_use_id: use.id, is_error: true, content: err.message });
      }
    }
    if (finished) break;
    messages.push({ role: 'user', content: results });
  }
  if (result.value === undefined && partial) {
    // The correction never came (or was worse): what was valid the first time stands.
    result.value = partial.value;
    result.dropped = false;
  }
  return result;
}

/** Adds a text note to the last user turn (the assistant turn that would sit between was unreadable). */
function appendNote(messages: MessageParam[], note: string): void {
  const last = messages[messages.length - 1];
  const blocks: ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  blocks.push({ type: 'text', text: note });
  messages[messages.length - 1] = { role: 'user', content: blocks };
}

export function usageTotal(u: TokenUsage): number {
  return budgetTokens(u);
}
