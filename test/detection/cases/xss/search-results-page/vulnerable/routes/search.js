const express = require('express');
const { searchArticles } = require('../services/articles');
const { renderResults } = require('../views/search-page');

const router = express.Router();

router.get('/', async (req, res) => {
  const results = await searchArticles(req.query.q);
  res.send(renderResults(req.query.q, results));
});

module.exports = router;
