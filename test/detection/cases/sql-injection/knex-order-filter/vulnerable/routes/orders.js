const express = require('express');
const { listOrders } = require('../repositories/orders');

const router = express.Router();

router.get('/:customerId/orders', async (req, res) => {
  const orders = await listOrders(req.params.customerId, req.query.status || 'open');
  res.json(orders);
});

module.exports = router;
