const express = require('express');
const { accessTokenFor } = require('../lib/tokens');

const router = express.Router();

router.post('/', (req, res) => {
  // Password check elided: the demo accepts the guest account only.
  const token = accessTokenFor('guest');
  res.cookie('access_token', token, { sameSite: 'none', maxAge: 15 * 60 * 1000 });
  res.cookie('theme', 'light', { maxAge: 365 * 24 * 3600 * 1000 });
  res.status(204).end();
});

module.exports = router;
