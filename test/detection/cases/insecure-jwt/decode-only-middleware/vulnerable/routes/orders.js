const express = require('express');
const { requireUser } = require('../middleware/auth');
const Orders = require('../services/orders');

const router = express.Router();

router.get('/', requireUser, async (req, res) => {
  res.json(await Orders.listForUser(req.user.id));
});

module.exports = router;
