const express = require('express');
const { renderEmail } = require('../services/mailer');

const router = express.Router();

router.post('/preview', (req, res) => {
  const html = renderEmail(req.body.template, { name: req.body.name, company: 'Acme' });
  res.send(html);
});

module.exports = router;
