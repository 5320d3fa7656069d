const express = require('express');
const { issueToken } = require('../services/auth');

const router = express.Router();

router.post('/', (req, res) => {
  // Demo login: every caller is a guest.
  res.json({ token: issueToken({ id: 'guest', role: 'guest' }) });
});

module.exports = router;
