const express = require('express');
const formidable = require('formidable');
const { exec } = require('child_process');

const router = express.Router();

router.post('/resize', (req, res, next) => {
  const form = formidable({ uploadDir: '/tmp/uploads', keepExtensions: true });
  form.parse(req, (err, fields, files) => {
    if (err) return next(err);
    const upload = files.image;
    const width = fields.width;
    exec(`convert ${upload.filepath} -resize ${width} ${upload.filepath}.out.png`, (e) => {
      if (e) return next(e);
      res.json({ ok: true });
    });
  });
});

module.exports = router;
