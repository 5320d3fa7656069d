const express = require('express');

const router = express.Router();

router.get('/', (req, res) => {
  console.log('health check', { agent: req.headers['user-agent'] });
  res.json({ status: 'ok' });
});

module.exports = router;
