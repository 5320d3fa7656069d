// The default model against the installed SDK's own lists, and what a user sees when the API no longer serves a
// model: a non-retryable error naming the setting to change (the real SDK against the local stand-in).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { callModel, createClaudeClient } from '../../activities/engines/claude/client.js';
import { claudeSettingsFromEnv, DEFAULT_MODEL, DEFAULT_SETTINGS } from '../../activities/engines/claude/config.js';
import { NON_RETRYABLE_ERRORS } from '../../workflows/definitions.js';
import { startStandIn, type StandIn } from '../helpers/anthropic-standin.js';

// The SDK keeps its deprecated list in an internal module it does not export: read it from the installed package.
const sdkDir = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));
const deprecated = (createRequire(import.meta.url)(join(sdkDir, 'internal/data/deprecated-models.js')) as { DEPRECATED_MODELS: Record<string, string> }).DEPRECATED_MODELS;
const modelType = readFileSync(join(sdkDir, 'resources/messages/messages.d.ts'), 'utf8').match(/export type Model = ([^;]+);/)![1];
const knownModels = [...modelType.matchAll(/'([^']+)'/g)].map((m) => m[1]);

describe('model defaults', () => {
  test('the default model is one the installed SDK lists, and not in its deprecated list', () => {
    assert.ok(Object.keys(deprecated).length > 0, 'the SDK deprecated list was read');
    assert.ok(knownModels.length > 5, 'the SDK model list was read');
    for (const model of [DEFAULT_MODEL, DEFAULT_SETTINGS.model, claudeSettingsFromEnv({}).model]) {
      assert.ok(!(model in deprecated), `${model} is deprecated (end of life ${deprecated[model]}): move DEFAULT_MODEL on`);
      assert.ok(knownModels.includes(model), `${model} is not in the SDK's model list`);
    }
  });
});

describe('a model the API no longer serves', () => {
  let s: StandIn;
  before(async () => {
    s = await startStandIn(() => ({ content: [{ type: 'text', text: 'hi' }] }));
  });
  after(async () => s.close());
  const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected a failure'), (e: unknown) => e as ApplicationFailure);
  const params = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };

  test('404 model not found and a deprecated-model answer: non-retryable, naming VIGIL_CLAUDE_MODEL', async () => {
    const client = createClaudeClient({ apiKey: 'sk-ant-models', baseURL: s.url, timeoutMs: 2000 });
    const answers = [
      { status: 404, error: { type: 'not_found_error', message: 'model: claude-sonnet-4-5' } },
      { status: 400, error: { type: 'invalid_request_error', message: 'The model claude-sonnet-4-5 is deprecated and reached end-of-life on November 30, 2026.' } },
    ];
    for (const answer of answers) {
      s.script = () => answer;
      const before = s.requests.length;
      const err = await failure(callModel(client, params, {}));
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'ModelNotAvailableError', `status ${answer.status}`);
      assert.equal(err.nonRetryable, true);
      assert.ok(NON_RETRYABLE_ERRORS.includes(err.type as (typeof NON_RETRYABLE_ERRORS)[number]), 'listed beside the other non-retryable types');
      assert.match(err.message, /"claude-sonnet-4-5"/);
      assert.match(err.message, /Set VIGIL_CLAUDE_MODEL on the worker \(or the scan's claude\.model\)/);
      assert.match(err.message, new RegExp(`e\\.g\\. ${DEFAULT_MODEL}`));
      assert.equal(s.requests.length - before, 1, 'not retried by the SDK');
    }
    // A 404 that is not about the model (a wrong base URL path) stays a plain request error.
    s.script = () => ({ status: 404, error: { type: 'not_found_error', message: 'GET /v2 is not served here' } });
    assert.equal((await failure(callModel(client, params, {}))).type, 'ModelRequestError');
  });
});
