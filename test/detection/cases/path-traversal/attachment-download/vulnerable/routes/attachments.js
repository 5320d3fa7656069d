const express = require('express');
const { openAttachment } = require('../storage/files');

const router = express.Router();

router.get('/:name', (req, res) => {
  res.setHeader('Content-Type', 'application/octet-stream');
  openAttachment(req.params.name).pipe(res);
});

module.exports = router;
