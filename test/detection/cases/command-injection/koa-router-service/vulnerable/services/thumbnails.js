const { exec } = require('child_process');
const path = require('path');

const UPLOADS = path.join(__dirname, '..', 'uploads');

function resize(file, width) {
  const size = `${parseInt(width, 10) || 128}x`;
  return new Promise((resolve, reject) => {
    exec(`convert ${UPLOADS}/${file} -resize ${size} ${UPLOADS}/thumb-${file}`, (err, stdout) => {
      if (err) reject(err);
      else resolve({ thumbnail: `thumb-${file}` });
    });
  });
}

module.exports = { resize };
