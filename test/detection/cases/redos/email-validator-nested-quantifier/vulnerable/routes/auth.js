const express = require('express');
const { isEmail, isStrongPassword } = require('../lib/validators');

const router = express.Router();

router.post('/signup', (req, res) => {
  const { email, password } = req.body;
  if (!isEmail(email)) return res.status(400).json({ error: 'invalid e-mail' });
  if (!isStrongPassword(password)) return res.status(400).json({ error: 'weak password' });
  res.status(201).json({ ok: true });
});

module.exports = router;
