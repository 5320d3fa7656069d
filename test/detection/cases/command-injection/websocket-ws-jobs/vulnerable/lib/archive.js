const { execSync } = require('child_process');

const FORMATS = new Set(['zip', 'tar']);

function archive(project, format) {
  const fmt = FORMATS.has(format) ? format : 'zip';
  const out = execSync(`git archive --format=${fmt} --output=/tmp/${project}.${fmt} HEAD`, { cwd: `/srv/repos/${project}` });
  return { ok: true, size: out.length };
}

module.exports = { archive };
