// A local stand-in for the Anthropic Messages API (POST /v1/messages), scripted per test. It speaks the
// documented wire format: JSON responses and SSE streams (message_start, content_block_start/delta/stop,
// message_delta, message_stop), tool_use blocks, usage with cache fields, and error bodies
// ({"type":"error","error":{type,message}}) with their status codes and retry-after headers. Every request
// is recorded so tests can inspect exactly what the real SDK sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Role = 'threatModel' | 'research' | 'verifier' | 'patch' | 'patchReview' | 'unknown';

export interface RecordedRequest {
  n: number;
  /** Arrival time (ms since epoch). */
  at: number;
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    max_tokens: number;
    stream?: boolean;
    system?: { type: 'text'; text: string; cache_control?: unknown }[];
    tools?: { name: string; cache_control?: unknown }[];
    tool_choice?: unknown;
    messages: { role: 'user' | 'assistant'; content: string | Record<string, unknown>[] }[];
  };
  role: Role;
  /** The first user message as text (the task). */
  task: string;
  /** How many assistant turns precede this request. */
  turn: number;
}

/** `raw`: the tool input as sent on the wire in a stream (e.g. text that is not JSON), instead of `input`'s JSON. */
export type Block = { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: unknown; raw?: string };

export type Reply =
  | { content: Block[]; stop_reason?: string; usage?: Partial<Usage> }
  | { status: number; error: { type: string; message: string }; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type Script = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  script: Script;
  close(): Promise<void>;
}

const ROLE_BY_TOOL: [string, Role][] = [
  ['submit_threat_model', 'threatModel'],
  ['report_findings', 'research'],
  ['cast_vote', 'verifier'],
  ['propose_patch', 'patch'],
  ['review_patch', 'patchReview'],
];

export const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

let ids = 0;

export async function startStandIn(script: Script): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const standIn: StandIn = { url: '', requests, script, close: async () => {} };
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        return sendError(res, 404, { type: 'not_found_error', message: `${req.method} ${req.url} is not served here` });
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
      const names = (body.tools ?? []).map((t) => t.name);
      const role = ROLE_BY_TOOL.find(([t]) => names.includes(t))?.[1] ?? 'unknown';
      const first = body.messages[0]?.content;
      const task = typeof first === 'string' ? first : JSON.stringify(first);
      const recorded: RecordedRequest = {
        n: requests.length,
        at: Date.now(),
        headers: req.headers,
        body,
        role,
        task,
        turn: body.messages.filter((m) => m.role === 'assistant').length,
      };
      requests.push(recorded);
      const reply = await standIn.script(recorded);
      if ('reset' in reply) return req.socket.destroy();
      if ('hang' in reply) return; // never answers: the client's timeout fires
      if ('status' in reply) return sendError(res, reply.status, reply.error, reply.headers);
      const content = reply.content.map((b) => (b.type === 'tool_use' ? { ...b, id: b.id ?? `toolu_${++ids}` } : b));
      const raw = new Map(content.flatMap((b, i) => (b.type === 'tool_use' && b.raw !== undefined ? [[i, b.raw] as const] : [])));
      for (const b of content) if (b.type === 'tool_use') delete (b as { raw?: string }).raw;
      const usage = { ...DEFAULT_USAGE, ...reply.usage };
      const message = {
        id: `msg_${++ids}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: reply.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
        stop_sequence: null,
        usage,
      };
      if (body.stream) return sendStream(res, message, raw);
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${ids}` });
      res.end(JSON.stringify(message));
    } catch (err) {
      sendError(res, 500, { type: 'api_error', message: `stand-in failure: ${(err as Error).message}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

function sendError(res: ServerResponse, status: number, error: { type: string; message: string }, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++ids}`, ...headers });
  res.end(JSON.stringify({ type: 'error', error }));
}

function sendStream(
  res: ServerResponse,
  message: { content: Record<string, unknown>[]; usage: Usage; stop_reason: string } & Record<string, unknown>,
  raw: Map<number, string> = new Map(),
) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${ids}` });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const { content, usage, stop_reason } = message;
  event('message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  event('ping', {});
  content.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      const text = String(block.text);
      for (let i = 0; i < text.length; i += 16) event('content_block_delta', { index, delta: { type: 'text_delta', text: text.slice(i, i + 16) } });
    } else {
      event('content_block_start', { index, content_block: { ...block, input: {} } });
      const json = raw.get(index) ?? JSON.stringify(block.input);
      for (let i = 0; i < json.length; i += 24) {
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 24) } });
      }
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  event('message_stop', {});
  res.end();
}

/** The text of every tool_result the request carries (what the tools returned to the model). */
export function toolResults(req: RecordedRequest): { content: string; is_error?: boolean }[] {
  const last = req.body.messages[req.body.messages.length - 1];
  if (!last || typeof last.content === 'string') return [];
  return last.content
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content), is_error: b.is_error as boolean | undefined }));
}
