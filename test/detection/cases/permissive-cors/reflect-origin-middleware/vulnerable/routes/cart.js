const express = require('express');

const router = express.Router();
const carts = new Map();

router.get('/', (req, res) => {
  res.json(carts.get(req.signedCookies.cartId) || []);
});

module.exports = router;
