const express = require('express');
const bcrypt = require('bcryptjs');
const throttle = require('../lib/throttle');
const store = require('../store');

const router = express.Router();
const loginThrottle = throttle({ perMinute: 10 });

router.post('/login', loginThrottle, async (req, res) => {
  const user = await store.byName(req.body.user);
  if (!user || !bcrypt.compareSync(req.body.pass, user.hash)) return res.status(401).send('nope');
  res.send('welcome');
});

module.exports = router;
