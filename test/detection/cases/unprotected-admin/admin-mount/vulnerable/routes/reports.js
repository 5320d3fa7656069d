'use strict';
const express = require('express');
const db = require('../db');

const router = express.Router();

router.get('/revenue', async (req, res) => {
  const { rows } = await db.query('SELECT date_trunc($1, paid_at) AS period, SUM(amount) FROM payments GROUP BY 1 ORDER BY 1', ['month']);
  res.json(rows);
});

module.exports = router;
