const express = require('express');
const Preferences = require('../models/preferences');

const router = express.Router();

router.put('/', (req, res) => {
  const { path, value } = req.body;
  const prefs = Preferences.setValue(req.get('x-user-id'), path, value);
  res.json(prefs);
});

module.exports = router;
