// Usage as the Messages API would count it, for a stand-in script: characters / 4 per token, the stable prefix
// (tools + system) a cache write the first time it is seen and a cache read after, the rest of the request input,
// the reply's content output. Without it the stand-in answers a fixed usage, which says nothing about sizes.
import type { Script } from './anthropic-standin.js';

export function countedUsage(script: Script): Script {
  const seen = new Set<string>();
  return async (req) => {
    const reply = await script(req);
    if (!('content' in reply)) return reply;
    const prefix = JSON.stringify({ system: req.body.system, tools: req.body.tools });
    const prefixTokens = Math.ceil(prefix.length / 4);
    const rest = Math.max(1, Math.ceil(JSON.stringify(req.body.messages).length / 4));
    const cached = seen.has(prefix);
    seen.add(prefix);
    return {
      ...reply,
      usage: {
        input_tokens: rest,
        cache_read_input_tokens: cached ? prefixTokens : 0,
        cache_creation_input_tokens: cached ? 0 : prefixTokens,
        output_tokens: Math.ceil(JSON.stringify(reply.content).length / 4),
        ...reply.usage,
      },
    };
  };
}
