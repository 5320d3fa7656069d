// A scripted model that behaves the way the estimate assumes a model works (test/claude/estimate.test.ts): each
// research pass reads a file before it reports every known vulnerability of its category in its component, each
// verifier reads the file before it votes (quoting the reported line), and every confirmed finding gets a patch
// that changes the reported line. `vulns`: what the repository holds (here: the built-in engine's leads).
import { createUnifiedDiff } from '../../activities/patches/create-diff.js';
import type { RecordedRequest, Reply } from '../helpers/anthropic-standin.js';
import { threatModel } from './brain.js';

export interface KnownVuln {
  file: string;
  line: number;
  cwe: string;
}

const tool = (name: string, input: unknown): Reply => ({ content: [{ type: 'text', text: 'Reading the code.' }, { type: 'tool_use', name, input }] });

export function thoroughBrain(files: Record<string, string>, vulns: KnownVuln[]): (req: RecordedRequest) => Reply {
  const lineOf = (file: string, line: number) => files[file]?.split('\n')[line - 1] ?? '';
  const at = (req: RecordedRequest) => {
    const [, file, line] = req.task.match(/at ([^\s:]+):(\d+)-/) ?? [];
    return { file, line: Number(line) };
  };
  return (req) => {
    switch (req.role) {
      case 'threatModel':
        return tool('submit_threat_model', threatModel);
      case 'research': {
        const mine = (req.task.match(/component files">\n([\s\S]*?)\n<\/repository_data>/)?.[1] ?? '').split('\n').filter(Boolean);
        if (req.turn === 0) return tool('read_file', { path: mine[0], start_line: 1, end_line: 200 });
        const injection = req.task.includes('injection and input handling');
        const findings = injection
          ? vulns
              .filter((v) => mine.includes(v.file))
              .map((v) => ({
                title: `${v.cwe} in ${v.file}`,
                cwe: v.cwe,
                file: v.file,
                start_line: v.line,
                end_line: v.line,
                trace: [
                  { file: v.file, line: v.line, kind: 'source', label: 'request data', code: lineOf(v.file, v.line) },
                  { file: v.file, line: v.line, kind: 'sink', label: v.cwe, code: lineOf(v.file, v.line) },
                ],
                explanation: 'Request data reaches the sink unchecked.',
              }))
          : [];
        return tool('report_findings', { findings });
      }
      case 'verifier': {
        const { file, line } = at(req);
        if (req.turn === 0) return tool('read_file', { path: file, start_line: Math.max(1, line - 20), end_line: line + 20 });
        const q = { file, line, code: lineOf(file, line) };
        return tool('cast_vote', { verdict: 'true_positive', source: q, sink: q, missing_defence: q, evidence: [{ file, line, note: 'read' }], reasoning: 'reachable and unguarded' });
      }
      case 'patch': {
        const { file, line } = at(req);
        const lines = files[file].split('\n');
        lines[line - 1] += ' // reviewed';
        return tool('propose_patch', { diff: createUnifiedDiff(file, files[file], lines.join('\n')), description: 'mark the line' });
      }
      case 'patchReview':
        return tool('review_patch', { fixes_finding: true, keeps_behaviour: true, introduces_issues: false, reasoning: 'ok' });
      default:
        return { status: 400, error: { type: 'invalid_request_error', message: 'unexpected request' } };
    }
  };
}
