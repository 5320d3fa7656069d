const AdmZip = require('adm-zip');
const fs = require('fs');
const path = require('path');

const THEMES_DIR = path.join(__dirname, '..', 'public', 'themes');

function install(buffer) {
  const zip = new AdmZip(buffer);
  const written = [];
  for (const entry of zip.getEntries()) {
    if (entry.isDirectory) continue;
    const target = path.join(THEMES_DIR, entry.entryName);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.getData());
    written.push(entry.entryName);
  }
  return written;
}

module.exports = { install };
