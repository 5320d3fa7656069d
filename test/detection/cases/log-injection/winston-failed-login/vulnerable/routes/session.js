const express = require('express');
const { recordFailedLogin } = require('../services/audit');

const router = express.Router();

router.post('/', (req, res) => {
  const { username, password } = req.body;
  if (password !== process.env.DEMO_PASSWORD) {
    recordFailedLogin(username, req.ip);
    return res.status(401).json({ error: 'invalid credentials' });
  }
  res.json({ ok: true });
});

module.exports = router;
