const express = require('express');
const { evaluate } = require('../lib/formula');

const router = express.Router();

router.post('/preview', (req, res) => {
  const { formula, rows } = req.body;
  const values = (rows || []).map((row) => evaluate(formula, row));
  res.json({ values });
});

module.exports = router;
