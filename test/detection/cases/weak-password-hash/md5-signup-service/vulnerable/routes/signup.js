const express = require('express');
const users = require('../services/users');

const router = express.Router();

router.post('/', async (req, res) => {
  const { email, password } = req.body;
  const user = await users.register(String(email), String(password));
  res.status(201).json(user);
});

module.exports = router;
