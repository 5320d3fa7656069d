const express = require('express');
const prisma = require('../lib/prisma');

const router = express.Router();

router.get('/by-email', async (req, res) => {
  const users = await prisma.$queryRawUnsafe(`SELECT id, email, name FROM "User" WHERE email = '${req.query.email}'`);
  res.json(users);
});

router.get('/count', async (req, res) => {
  const [row] = await prisma.$queryRaw`SELECT COUNT(*)::int AS n FROM "User" WHERE "createdAt" > ${new Date(req.query.since)}`;
  res.json(row);
});

module.exports = router;
