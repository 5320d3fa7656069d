'use strict';
const express = require('express');
const { Invoice } = require('../models');

const router = express.Router();

router.get('/', async (req, res) => {
  res.json(await Invoice.findAll({ where: { ownerId: req.user.id }, order: [['createdAt', 'DESC']] }));
});

router.get('/:invoiceId', async (req, res) => {
  const invoice = await Invoice.findByPk(req.params.invoiceId);
  if (!invoice) return res.sendStatus(404);
  res.json(invoice);
});

module.exports = router;
