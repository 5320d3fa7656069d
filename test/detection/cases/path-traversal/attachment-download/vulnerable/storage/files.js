const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', 'uploads');

function openAttachment(name) {
  const file = path.join(ROOT, name);
  return fs.createReadStream(file);
}

module.exports = { openAttachment };
