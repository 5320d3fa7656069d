// A scan worker in its own process, for tests that kill it. It is the real worker with two test
// hooks injected through its factory: every activity execution is appended to TEST_EXEC_LOG, and
// the real built-in engine is held for TEST_REASON_DELAY_MS before it runs (so a test can kill or stop
// the process in the middle of the reasoning stage).
import { appendFileSync } from 'node:fs';
import type { ReasoningEngine } from '../../activities/model.js';
import { createBuiltinEngine } from '../../activities/engines/builtin/index.js';
import { runWorkerProcess } from '../../workers/main.js';

const log = process.env.TEST_EXEC_LOG!;
const delay = Number(process.env.TEST_REASON_DELAY_MS ?? 0);
const real = createBuiltinEngine();
const held: ReasoningEngine = {
  name: real.name,
  version: real.version,
  async analyse(input) {
    appendFileSync(log, `reason-running ${process.pid}\n`);
    // Held like a long analysis, and like the real engine it stops when its signal aborts (a cancelled or
    // handed-back activity).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, delay);
      input.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(input.signal!.reason ?? new Error('analysis aborted'));
      });
    });
    return real.analyse(input);
  },
};

await runWorkerProcess({
  engines: { builtin: held },
  onExecute: (activity) => appendFileSync(log, `${activity} ${process.pid}\n`),
});
