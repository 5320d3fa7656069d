'use strict';
const express = require('express');
const users = require('../services/users');

const router = express.Router();

router.get('/users', async (req, res) => {
  res.json(await users.listAll());
});

router.put('/users/:id/role', async (req, res) => {
  const role = ['member', 'manager', 'admin'].includes(req.body.role) ? req.body.role : 'member';
  await users.setRole(req.params.id, role);
  res.sendStatus(204);
});

module.exports = router;
