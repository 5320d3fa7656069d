'use strict';
const express = require('express');
const { requireAuth, requireRole } = require('../middleware/auth');

const router = express.Router();
const events = [];

router.get('/', requireAuth, requireRole('admin'), (req, res) => {
  res.json(events.slice(-100));
});

module.exports = router;
