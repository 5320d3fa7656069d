'use strict';
const express = require('express');
const { requireAuth } = require('../middleware/auth');
const orders = require('../services/orders');

const router = express.Router();

router.get('/', requireAuth, async (req, res) => {
  res.json(await orders.listForUser(req.user.id));
});

router.get('/stats', async (req, res) => {
  res.json(await orders.stats());
});

router.get('/:id', requireAuth, async (req, res) => {
  const order = await orders.getForUser(req.params.id, req.user.id);
  if (!order) return res.status(404).end();
  res.json(order);
});

router.post('/', requireAuth, async (req, res) => {
  const { items, address } = req.body;
  res.status(201).json(await orders.create(req.user.id, { items, address }));
});

module.exports = router;
