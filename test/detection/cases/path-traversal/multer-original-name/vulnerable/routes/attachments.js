const express = require('express');
const multer = require('multer');
const fs = require('fs');
const path = require('path');

const router = express.Router();
const upload = multer({ dest: path.join(__dirname, '..', 'tmp') });
const STORE = path.join(__dirname, '..', 'attachments');

router.post('/', upload.single('attachment'), (req, res) => {
  if (!req.file) return res.status(400).json({ error: 'no file' });
  const target = path.join(STORE, req.file.originalname);
  fs.renameSync(req.file.path, target);
  res.status(201).json({ name: req.file.originalname, size: req.file.size });
});

module.exports = router;
