const express = require('express');
const { searchProducts } = require('../services/product-search');

const router = express.Router();

router.get('/search', async (req, res) => {
  const max = Number(req.query.max) || 1000;
  res.json(await searchProducts(req.query.q, max));
});

module.exports = router;
