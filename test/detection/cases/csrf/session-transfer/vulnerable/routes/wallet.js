const express = require('express');
const ledger = require('../ledger');

const router = express.Router();

function signedIn(req, res, next) {
  if (!req.session.accountId) return res.status(401).send('sign in first');
  next();
}

router.get('/balance', signedIn, async (req, res) => {
  res.json({ balance: await ledger.balanceOf(req.session.accountId) });
});

router.post('/transfer', signedIn, async (req, res) => {
  await ledger.transferFunds(req.session.accountId, req.body.to, Number(req.body.amount));
  res.redirect('/wallet/balance');
});

module.exports = router;
