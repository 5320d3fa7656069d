const express = require('express');
const { verifyCredentials } = require('../services/users');
const { redirectAfterLogin } = require('../lib/redirects');

const router = express.Router();

router.post('/login', async (req, res) => {
  const user = await verifyCredentials(req.body.email, req.body.password);
  if (!user) return res.status(401).send('Invalid e-mail or password');
  req.session.userId = user.id;
  redirectAfterLogin(res, req.body.returnTo);
});

module.exports = router;
