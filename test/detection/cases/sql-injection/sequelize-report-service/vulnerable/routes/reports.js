const express = require('express');
const { salesByRegion } = require('../services/report-service');

const router = express.Router();

router.get('/sales', async (req, res, next) => {
  try {
    res.json(await salesByRegion(req.query.region));
  } catch (err) {
    next(err);
  }
});

module.exports = router;
