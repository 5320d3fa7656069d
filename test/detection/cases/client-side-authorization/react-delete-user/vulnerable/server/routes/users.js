'use strict';
const express = require('express');
const { requireAuth } = require('../middleware/auth');
const User = require('../models/user');

const router = express.Router();

router.get('/', requireAuth, async (req, res) => {
  res.json(await User.find({}, 'email name role'));
});

router.get('/me', requireAuth, async (req, res) => {
  res.json(await User.findById(req.user.id, 'email name role'));
});

router.delete('/:id', requireAuth, async (req, res) => {
  await User.findByIdAndDelete(req.params.id);
  res.sendStatus(204);
});

module.exports = router;
