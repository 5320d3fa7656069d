const express = require('express');
const multer = require('multer');
const installer = require('../services/theme-installer');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024 } });

router.post('/', upload.single('theme'), (req, res) => {
  const installed = installer.install(req.file.buffer);
  res.status(201).json({ files: installed });
});

module.exports = router;
