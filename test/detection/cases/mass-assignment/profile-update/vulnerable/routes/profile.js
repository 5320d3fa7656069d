'use strict';
const express = require('express');
const { requireAuth } = require('../middleware/auth');
const profiles = require('../services/profile');

const router = express.Router();
router.use(requireAuth);

router.get('/', async (req, res) => {
  res.json(await profiles.getProfile(req.user.id));
});

router.put('/', async (req, res) => {
  const updated = await profiles.updateProfile(req.user.id, req.body);
  res.json(updated);
});

module.exports = router;
