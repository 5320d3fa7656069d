'use strict';
const express = require('express');
const bcrypt = require('bcrypt');
const jwt = require('jsonwebtoken');
const { User } = require('../models');

const router = express.Router();
const attempts = require('express-rate-limit')({ windowMs: 60_000, max: 10 });
router.post('/login', attempts, async (req, res) => {
  const user = await User.findOne({ where: { email: String(req.body.email) } });
  if (!user || !(await bcrypt.compare(String(req.body.password), user.passwordHash))) return res.sendStatus(401);
  res.json({ token: jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }) });
});

module.exports = router;
