const express = require('express');
const notifier = require('../lib/notifier');

const router = express.Router();

router.post('/test', async (req, res) => {
  const status = await notifier.sendTestEvent(req.body.callbackUrl, { type: 'ping', at: Date.now() });
  res.json({ delivered: status < 400, status });
});

module.exports = router;
