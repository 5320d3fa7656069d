const express = require('express');
const { parseInvoice, parseLegacyInvoice } = require('../services/invoice-parser');

const router = express.Router();

router.post('/', (req, res) => {
  const invoice = parseInvoice(req.body);
  res.status(201).json(invoice);
});

router.post('/legacy', async (req, res) => {
  const invoice = await parseLegacyInvoice(req.body);
  res.status(201).json(invoice);
});

module.exports = router;
