const express = require('express');

const router = express.Router();
const clicks = new Map();

router.get('/out', (req, res) => {
  const url = String(req.query.url);
  clicks.set(url, (clicks.get(url) || 0) + 1);
  res.writeHead(302, { Location: url, 'Cache-Control': 'no-store' });
  res.end();
});

router.get('/docs/:page', (req, res) => {
  res.redirect('https://docs.example.com/' + encodeURIComponent(req.params.page));
});

module.exports = router;
