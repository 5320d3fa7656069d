const express = require('express');
const catalog = require('../services/catalog');

const router = express.Router();

router.get('/search', (req, res) => {
  const results = catalog.search(req.query.q, Number(req.query.limit) || 20);
  res.json(results);
});

module.exports = router;
