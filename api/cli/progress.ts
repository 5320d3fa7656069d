// Scan progress on stderr. On a terminal: one bar redrawn in place (stages done of the pipeline, the
// current stage, its detail and elapsed time, a spinner so a long stage visibly lives). Elsewhere — a pipe,
// a log file, or CI=true — one plain line per stage change, which reads well in CI logs.
import type { ScanStage } from '../../workflows/definitions.js';

/** The stages a scan passes through before it settles, in order. */
const PIPELINE: ScanStage[] = ['queued', 'snapshot', 'merkle_sync', 'reasoning', 'verification', 'scoring', 'awaiting_decisions', 'applying', 'reporting', 'completed'];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const WIDTH = 24;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Call on every poll; only a stage change prints a plain line. */
  update(stage: ScanStage, detail: string): void;
  /** Leaves the bar's last state on its own line. */
  done(): void;
}

/** A bar only on an interactive terminal, never when CI is set (CI logs keep every redraw). */
export function wantsBar(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && !ci && env.TERM !== 'dumb';
}

export function renderBar(stage: ScanStage, detail: string, elapsedMs: number, frame: number, columns = 100): string {
  const index = Math.max(0, PIPELINE.indexOf(stage));
  const last = PIPELINE.length - 1;
  const filled = Math.round((index / last) * WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
  const spin = stage === 'completed' || stage === 'failed' || stage === 'awaiting_decisions' ? '✓' : SPINNER[frame % SPINNER.length];
  const line = `${spin} [${bar}] ${index}/${last} ${stage.replace(/_/g, ' ')}${detail} ${Math.round(elapsedMs / 1000)}s`;
  return line.length > columns - 1 ? line.slice(0, columns - 2) + '…' : line;
}

export function createProgress(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): Progress {
  const bar = wantsBar(stream, env);
  let stage: ScanStage | undefined;
  let detail = '';
  let stageStart = now();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!stage) return;
    stream.write(`\r\x1b[2K${renderBar(stage, detail, now() - stageStart, frame++, stream.columns ?? 100)}`);
  };
  return {
    update(next, nextDetail) {
      if (next !== stage) {
        if (!bar) stream.write(`  ${new Date(now()).toISOString().slice(11, 19)}  ${next.replace(/_/g, ' ')}${nextDetail}\n`);
        stage = next;
        stageStart = now();
      }
      detail = nextDetail;
      if (bar) {
        draw();
        timer ??= setInterval(draw, 120);
        timer.unref?.();
      }
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (bar && stage) {
        draw();
        stream.write('\n');
      }
    },
  };
}
