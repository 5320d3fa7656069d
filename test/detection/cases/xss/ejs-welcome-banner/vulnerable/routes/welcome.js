const express = require('express');

const router = express.Router();

router.get('/welcome', (req, res) => {
  const visitor = req.query.name || 'guest';
  const visits = parseInt(req.query.visits, 10) || 1;
  res.render('welcome', { visitor, visits, campaign: req.query.utm });
});

module.exports = router;
