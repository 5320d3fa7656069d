'use strict';
const express = require('express');
const { requireAuth } = require('../middleware/auth');
const orders = require('../services/orders');

const router = express.Router();
router.use(requireAuth);

router.get('/', async (req, res) => {
  res.json(await orders.listForUser(req.user.id));
});

router.get('/:orderId', async (req, res, next) => {
  try {
    res.json(await orders.getOrder(req.params.orderId));
  } catch (err) {
    next(err);
  }
});

router.post('/', async (req, res) => {
  const { items, address } = req.body;
  res.status(201).json(await orders.create(req.user.id, { items, address }));
});

module.exports = router;
