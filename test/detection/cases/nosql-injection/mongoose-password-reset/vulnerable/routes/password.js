const express = require('express');
const bcrypt = require('bcrypt');
const { findByResetToken, setPassword } = require('../services/password-reset');

const router = express.Router();

router.post('/reset', async (req, res) => {
  const user = await findByResetToken(req.body.email, req.body.token);
  if (!user) return res.status(400).json({ error: 'invalid or expired token' });
  await setPassword(user, await bcrypt.hash(req.body.password, 12));
  res.json({ ok: true });
});

module.exports = router;
