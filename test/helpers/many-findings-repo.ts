// A generated Express repository with as many findings as a test asks for: router files under the given
// directories, each handler a distinct SQL injection, command injection or path traversal reached from a mounted
// route. Cheap to analyse (short straight-line handlers), and each finding has its own code, so fingerprints differ.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManyFindingsLayout {
  /** Directory -> number of router files in it. */
  dirs: Record<string, number>;
  handlersPerFile: number;
  /** Which sinks the handlers use, in rotation. */
  kinds?: ('sql' | 'exec' | 'path')[];
}

function handler(kind: 'sql' | 'exec' | 'path', file: number, i: number): string {
  const route = `/r${file}_${i}`;
  switch (kind) {
    case 'sql':
      return `router.get('${route}', (req, res, next) => {
  pool.query("SELECT c${i} FROM t${file} WHERE k = '" + req.query.k${i} + "'", (err, rows) => (err ? next(err) : res.json(rows)));
});`;
    case 'exec':
      return `router.get('${route}', (req, res) => {
  exec('ls -l ' + req.query.d${i}, (err, out) => res.send(out));
});`;
    case 'path':
      return `router.get('${route}', (req, res) => {
  fs.readFile('/srv/f${file}/' + req.query.p${i}, (err, data) => res.send(data));
});`;
  }
}

/** Writes the repository's files into `repo` (an empty directory); returns the number of handlers planted. */
export function writeManyFindingsRepo(repo: string, layout: ManyFindingsLayout): number {
  const kinds = layout.kinds ?? ['sql'];
  const mounts: string[] = [];
  let n = 0;
  let fileNo = 0;
  for (const [dir, files] of Object.entries(layout.dirs)) {
    mkdirSync(join(repo, dir), { recursive: true });
    for (let f = 0; f < files; f++, fileNo++) {
      const name = `routes${fileNo}.js`;
      const body = [];
      for (let i = 0; i < layout.handlersPerFile; i++, n++) body.push(handler(kinds[n % kinds.length], fileNo, i));
      writeFileSync(
        join(repo, dir, name),
        `'use strict';
const express = require('express');
const fs = require('fs');
const { exec } = require('child_process');
const pool = require('${'../'.repeat(dir.split('/').length)}db');
const router = express.Router();
${body.join('\n')}
module.exports = router;
`,
      );
      mounts.push(`app.use('/m${fileNo}', require('./${dir}/${name}'));`);
    }
  }
  writeFileSync(join(repo, 'db.js'), `'use strict';\nconst mysql = require('mysql');\nmodule.exports = mysql.createPool({ database: 'app' });\n`);
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'many-findings', dependencies: { express: '^4', mysql: '^2' } }));
  writeFileSync(
    join(repo, 'app.js'),
    `'use strict';\nconst express = require('express');\nconst app = express();\n${mounts.join('\n')}\napp.listen(3000);\n`,
  );
  return n;
}
