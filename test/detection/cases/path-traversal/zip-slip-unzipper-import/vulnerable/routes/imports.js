const express = require('express');
const multer = require('multer');
const { extractArchive } = require('../lib/extract');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage() });

router.post('/', upload.single('archive'), async (req, res) => {
  const files = await extractArchive(req.file.buffer, '/var/app/imports');
  res.status(202).json({ files });
});

module.exports = router;
