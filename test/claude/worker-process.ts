// A scan worker in its own process with the Claude engine configured the production way, from
// ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL / VIGIL_CLAUDE_* in its environment. Every activity execution
// is appended to TEST_EXEC_LOG so a test can count them across a crash.
import { appendFileSync } from 'node:fs';
import { runWorkerProcess } from '../../workers/main.js';

const log = process.env.TEST_EXEC_LOG!;
await runWorkerProcess({ onExecute: (activity) => appendFileSync(log, `${activity} ${process.pid}\n`) });
