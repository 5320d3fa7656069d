const unzipper = require('unzipper');
const fs = require('fs');
const path = require('path');
const { pipeline } = require('stream/promises');

async function extractArchive(buffer, importDir) {
  const directory = await unzipper.Open.buffer(buffer);
  const names = [];
  for (const file of directory.files) {
    if (file.type !== 'File') continue;
    const destination = path.join(importDir, file.path);
    await pipeline(file.stream(), fs.createWriteStream(destination));
    names.push(file.path);
  }
  return names;
}

module.exports = { extractArchive };
