const express = require('express');
const db = require('../db');

const router = express.Router();

router.get('/search', async (req, res) => {
  const cursor = db.collection('products').find({ $where: `this.name.indexOf('${req.query.q}') !== -1` });
  res.json(await cursor.limit(50).toArray());
});

router.get('/:sku', async (req, res) => {
  const product = await db.collection('products').findOne({ sku: req.params.sku });
  if (!product) return res.status(404).end();
  res.json(product);
});

module.exports = router;
