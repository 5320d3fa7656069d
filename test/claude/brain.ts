// A scripted model for the stand-in: plays every role of a Claude scan of the vulnerable-express fixture.
// Tests override single roles (a verifier that votes no, a research pass that sends malformed output ...).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUnifiedDiff } from '../../activities/patches/create-diff.js';
import type { RecordedRequest, Reply } from '../helpers/anthropic-standin.js';

export const fixture = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));

export const SQLI = {
  title: 'SQL injection in user search',
  cwe: 'CWE-89',
  file: 'db/users.js',
  start_line: 5,
  end_line: 6,
  trace: [
    { file: 'routes/users.js', line: 8, kind: 'source', label: 'req.query.name', code: 'const { name } = req.query;' },
    { file: 'routes/users.js', line: 9, kind: 'step', label: 'passed to findUsersByName' },
    { file: 'db/users.js', line: 6, kind: 'sink', label: 'concatenated SQL reaches pool.query', code: 'pool.query(sql, callback);' },
  ],
  explanation: 'The name from the query string is concatenated into SQL.',
};

/** A verifier's grounded true-positive vote on the SQL injection: source, sink and missing defence quoted from db/users.js. */
export const SQLI_VOTE = {
  verdict: 'true_positive',
  source: { file: 'db/users.js', line: 4, code: 'function findUsersByName(name, callback) {' },
  sink: { file: 'db/users.js', line: 6, code: 'pool.query(sql, callback);' },
  missing_defence: { file: 'db/users.js', line: 5, code: `const sql = "SELECT id, name, email FROM users WHERE name = '" + name + "'";` },
  evidence: [{ file: 'db/users.js', line: 6, note: 'concatenation' }],
  reasoning: 'reachable',
};

const before = readFileSync(`${fixture}/db/users.js`, 'utf8');
const after = before
  .replace(`  const sql = "SELECT id, name, email FROM users WHERE name = '" + name + "'";\n  pool.query(sql, callback);`, `  pool.query('SELECT id, name, email FROM users WHERE name = ?', [name], callback);`);
export const SQLI_DIFF = createUnifiedDiff('db/users.js', before, after);

export const threatModel = {
  components: [
    { name: 'http api', description: 'Express routes and what they call', paths: ['app.js', 'routes', 'db', 'lib'], entry_points: ['GET /api/users/search'], trust_boundaries: ['HTTP'], sinks: ['pool.query'] },
  ],
  assumptions: ['routes are public'],
  files_worth_reading: ['routes/users.js', 'db/users.js'],
  skipped: [{ path: 'test', reason: 'tests only' }],
};

const tool = (name: string, input: unknown): Reply => ({ content: [{ type: 'text', text: 'Working on it.' }, { type: 'tool_use', name, input }] });

export type Brain = (req: RecordedRequest) => Reply | Promise<Reply>;

/** The default brain: one SQL injection found in the injection pass, 3 of 3 votes, a patch that applies. */
export function brain(overrides: Partial<Record<RecordedRequest['role'], Brain>> = {}): Brain {
  return (req) => {
    const own = overrides[req.role];
    if (own) return own(req);
    switch (req.role) {
      case 'threatModel':
        return tool('submit_threat_model', threatModel);
      case 'research':
        if (req.turn === 0) return tool('read_file', { path: 'routes/users.js', start_line: 1, end_line: 20 });
        return tool('report_findings', { findings: req.task.includes('injection and input handling') ? [SQLI] : [] });
      case 'verifier':
        return tool('cast_vote', SQLI_VOTE);
      case 'patch':
        return tool('propose_patch', { diff: SQLI_DIFF, description: 'Bind the name as a query parameter.' });
      case 'patchReview':
        return tool('review_patch', { fixes_finding: true, keeps_behaviour: true, introduces_issues: false, reasoning: 'ok' });
      default:
        return { status: 400, error: { type: 'invalid_request_error', message: 'unexpected request' } };
    }
  };
}
