const express = require('express');
const settingsService = require('../services/settings-service');

const router = express.Router();

router.get('/', (req, res) => {
  res.json(settingsService.current());
});

router.patch('/', (req, res) => {
  const updated = settingsService.applyChanges(req.body);
  res.json(updated);
});

module.exports = router;
