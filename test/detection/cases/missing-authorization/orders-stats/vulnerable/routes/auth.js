'use strict';
const express = require('express');
const jwt = require('jsonwebtoken');
const users = require('../services/users');

const router = express.Router();
const loginLimiter = require('express-rate-limit')({ windowMs: 60_000, max: 5 });
router.post('/login', loginLimiter, async (req, res) => {
  const user = await users.checkPassword(String(req.body.email), String(req.body.password));
  if (!user) return res.status(401).json({ error: 'wrong email or password' });
  res.json({ token: jwt.sign({ id: user.id }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }) });
});

router.post('/register', async (req, res) => {
  const user = await users.register(String(req.body.email), String(req.body.password));
  res.status(201).json({ id: user.id });
});

module.exports = router;
