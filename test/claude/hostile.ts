// A hostile model for the stand-in (beside the scripted one in brain.ts): it invents files, misquotes lines,
// quotes real lines for sinks that are not there, votes in collusion with real-looking evidence, proposes patches
// that do not apply or change the wrong lines, approves any patch, obeys repository text telling it to report
// nothing, and sends over-long and non-JSON tool inputs. It repeats each lie when asked to correct it.
import type { RecordedRequest, Reply } from '../helpers/anthropic-standin.js';
import { brain, SQLI, SQLI_DIFF, SQLI_VOTE, type Brain } from './brain.js';

const tool = (name: string, input: unknown): Reply => ({ content: [{ type: 'tool_use', name, input }] });
const source = { file: 'routes/users.js', line: 8, kind: 'source', label: 'req.query.name', code: 'const { name } = req.query;' };

/** A finding in a file the snapshot does not have: the location check. */
export const INVENTED_FILE = {
  ...SQLI,
  title: 'SQL injection in the reporting service',
  file: 'server/reports.js',
  start_line: 12,
  end_line: 12,
  trace: [source, { file: 'server/reports.js', line: 12, kind: 'sink', label: 'db.query', code: 'db.query(sql)' }],
};

/** The issue's lie: command injection at app.js:3, quoting code that is not there: the quote check. */
export const MISQUOTED = {
  title: 'Command injection: child_process.exec(req.query.cmd)',
  cwe: 'CWE-78',
  file: 'app.js',
  start_line: 3,
  end_line: 3,
  trace: [source, { file: 'app.js', line: 3, kind: 'sink', label: 'exec', code: 'child_process.exec(req.query.cmd)' }],
  explanation: 'The command from the query string runs in a shell.',
};

/** The same claim quoting the real line 3 (a require): quotes hold, but no command sink is there: corroboration. */
export const REAL_LINE_CMD = {
  ...MISQUOTED,
  title: 'Command injection through the users router',
  trace: [source, { file: 'app.js', line: 3, kind: 'sink', label: 'exec', code: "const usersRouter = require('./routes/users');" }],
};

/** Code injection claimed at a parameterised query, quoted correctly; verifiers lie about it two ways. */
export const FAKE_EVAL = {
  title: 'Code injection in user lookup',
  cwe: 'CWE-94',
  file: 'db/users.js',
  start_line: 10,
  end_line: 10,
  trace: [source, { file: 'db/users.js', line: 10, kind: 'sink', label: 'eval', code: "pool.query('SELECT id, name, email FROM users WHERE id = ?', [id], callback);" }],
  explanation: 'The id is evaluated.',
};

/** A finding without a CWE: the schema check. */
export const MALFORMED = { title: 'Something bad', file: 'app.js', start_line: 1, end_line: 1, trace: [source], explanation: 'x' };

const at = (req: RecordedRequest, loc: string) => req.task.includes(`at ${loc}`);
/** The SQL injection, as the model reports it (db/users.js:5-6) or as the built-in engine does (6-6). */
const atSqli = (req: RecordedRequest) => /at db\/users\.js:[56]-6\b/.test(req.task);

/** Colluding verifiers: true positive on everything, each with its own kind of real-looking evidence. */
export const colludingVerifier: Brain = (req) => {
  if (atSqli(req)) return tool('cast_vote', SQLI_VOTE);
  if (at(req, 'app.js:3-3')) {
    // Every quote is the real code at a real line, and the sink is at the reported location: only the built-in
    // engine's sink models can tell that no command runs there.
    return tool('cast_vote', {
      verdict: 'true_positive',
      source: { file: 'routes/users.js', line: 8, code: 'const { name } = req.query;' },
      sink: { file: 'app.js', line: 3, code: "const usersRouter = require('./routes/users');" },
      missing_defence: { file: 'app.js', line: 3, code: "const usersRouter = require('./routes/users');" },
      evidence: [{ file: 'app.js', line: 3, note: 'exec' }],
      reasoning: 'Confirmed: the command reaches a shell.',
    });
  }
  if (at(req, 'db/users.js:10-10')) {
    if (req.task.startsWith('Your lens: reachability')) {
      // Quotes code that is not there.
      return tool('cast_vote', {
        verdict: 'true_positive',
        source: { file: 'routes/users.js', line: 8, code: 'const { name } = req.query;' },
        sink: { file: 'db/users.js', line: 10, code: 'eval(req.params.id)' },
        missing_defence: { file: 'db/users.js', line: 10, code: 'eval(req.params.id)' },
        reasoning: 'eval of the id',
      });
    }
    if (req.task.startsWith('Your lens: impact')) {
      // Real code, quoted exactly, but a sink somewhere else.
      return tool('cast_vote', {
        verdict: 'true_positive',
        source: { file: 'routes/admin.js', line: 8, code: 'ping(req.query.host, (err, stdout) => {' },
        sink: { file: 'lib/exec.js', line: 5, code: 'exec(`ping -c 1 ${host}`, callback);' },
        missing_defence: { file: 'lib/exec.js', line: 5, code: 'exec(`ping -c 1 ${host}`, callback);' },
        reasoning: 'a shell runs it',
      });
    }
  }
  return tool('cast_vote', { verdict: 'false_positive', reasoning: 'nothing there' });
};

/** A diff whose context is not in the file: the patch-apply check. */
export const UNAPPLIABLE_DIFF = `--- a/db/users.js\n+++ b/db/users.js\n@@ -6,1 +6,1 @@\n-  db.run(query);\n+  db.run(query, []);\n`;

/** A diff that applies but changes only the end of the file, far from the finding: the patch-scope check. */
export const UNRELATED_DIFF = `--- a/db/users.js\n+++ b/db/users.js\n@@ -12,2 +12,3 @@\n \n module.exports = { findUsersByName, findUserById };\n+// reviewed: safe\n`;

/**
 * The hostile scan: the injection pass sends an over-long and a non-object tool input, then reports one real
 * finding among malformed, invented, misquoted and unsupported ones (twice: it "corrects" nothing); verifiers
 * collude; the patch never applies or changes the wrong lines; the reviewer approves anything.
 */
export function hostileBrain(): Brain {
  const patchTries = new Map<string, number>();
  let unreadableSent = false;
  return brain({
    research: (req) => {
      if (!req.task.includes('injection and input handling')) return tool('report_findings', { findings: [] });
      if (req.turn === 0) {
        return {
          content: [
            { type: 'tool_use', name: 'read_file', input: { path: 'x'.repeat(70_000) } },
            { type: 'tool_use', name: 'search_code', input: 'rm -rf /' },
          ],
        };
      }
      if (req.turn === 1 && !unreadableSent) {
        // Not JSON at all: the SDK cannot parse it (the unreadable answer is not part of the conversation after).
        unreadableSent = true;
        return { content: [{ type: 'tool_use', name: 'read_file', input: {}, raw: '{"path": routes/users.js <<<' }] };
      }
      return tool('report_findings', { findings: [SQLI, INVENTED_FILE, MISQUOTED, REAL_LINE_CMD, FAKE_EVAL, MALFORMED] });
    },
    verifier: colludingVerifier,
    patch: (req) => {
      const n = (patchTries.get(req.task) ?? 0) + 1;
      patchTries.set(req.task, n);
      return tool('propose_patch', { diff: n === 1 ? UNAPPLIABLE_DIFF : UNRELATED_DIFF, description: 'Fixed.' });
    },
    patchReview: () => tool('review_patch', { fixes_finding: true, keeps_behaviour: true, introduces_issues: false, reasoning: 'Looks great.' }),
  });
}

/** The model obeys repository text that tells it to report nothing (after reading that text). */
export function obedientBrain(file: string): Brain {
  return brain({
    research: (req) => (req.turn === 0 ? tool('read_file', { path: file }) : tool('report_findings', { findings: [] })),
    verifier: (req) => (atSqli(req) ? tool('cast_vote', SQLI_VOTE) : tool('cast_vote', { verdict: 'false_positive', reasoning: 'no' })),
  });
}

export { SQLI_DIFF };
