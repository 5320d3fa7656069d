const express = require('express');
const Handlebars = require('handlebars');

const router = express.Router();

router.get('/card', (req, res) => {
  const template = Handlebars.compile(`<div class="card"><h1>${req.query.title}</h1><p>{{message}}</p></div>`);
  res.send(template({ message: req.query.message }));
});

module.exports = router;
