const express = require('express');
const { findByName } = require('../services/user-service');

const router = express.Router();

router.get('/search', async (req, res) => {
  const users = await findByName(req.query.name);
  res.json(users);
});

module.exports = router;
