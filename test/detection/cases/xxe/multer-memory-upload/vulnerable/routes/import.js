const express = require('express');
const multer = require('multer');
const libxmljs = require('libxmljs');

const router = express.Router();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1024 * 1024 } });

router.post('/contacts', upload.single('file'), (req, res) => {
  const xml = req.file.buffer.toString('utf8');
  const doc = libxmljs.parseXml(xml, { noent: true, nonet: true });
  const contacts = doc.find('//contact').map((c) => ({ name: c.get('name').text(), email: c.get('email').text() }));
  res.json({ imported: contacts.length });
});

module.exports = router;
