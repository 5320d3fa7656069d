const express = require('express');
const busboy = require('busboy');
const fs = require('fs');
const path = require('path');

const router = express.Router();
const UPLOAD_DIR = path.join(__dirname, '..', 'storage');

router.post('/', (req, res) => {
  const bb = busboy({ headers: req.headers, limits: { fileSize: 10 * 1024 * 1024 } });
  const saved = [];
  bb.on('file', (name, file, info) => {
    const { filename } = info;
    const dest = path.join(UPLOAD_DIR, filename);
    file.pipe(fs.createWriteStream(dest));
    saved.push(filename);
  });
  bb.on('close', () => res.json({ saved }));
  req.pipe(bb);
});

module.exports = router;
