const express = require('express');
const { randomString } = require('../utils/random');
const { sendResetMail } = require('../services/mailer');

const router = express.Router();
const pending = new Map();

router.post('/', async (req, res) => {
  const resetToken = randomString(32);
  pending.set(resetToken, { email: String(req.body.email), expires: Date.now() + 3600_000 });
  await sendResetMail(String(req.body.email), `https://app.example/reset/${resetToken}`);
  res.status(202).end();
});

router.post('/upload-name', (req, res) => {
  const fileName = `${randomString(8)}.png`;
  res.json({ fileName });
});

module.exports = router;
