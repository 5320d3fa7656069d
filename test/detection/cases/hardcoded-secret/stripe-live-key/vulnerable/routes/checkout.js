const express = require('express');
const { createCheckout } = require('../services/payments');

const router = express.Router();

router.post('/', async (req, res) => {
  const session = await createCheckout('price_basic', 'guest@shop.example');
  res.json({ url: session.url });
});

module.exports = router;
