const express = require('express');
const { readPreferences } = require('../lib/preferences');

const router = express.Router();

router.get('/preferences', (req, res) => {
  const prefs = readPreferences(req.cookies.prefs);
  res.json({ theme: prefs.theme || 'light', language: prefs.language || 'en' });
});

module.exports = router;
