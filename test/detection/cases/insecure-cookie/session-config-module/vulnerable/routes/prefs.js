const express = require('express');

const router = express.Router();

router.post('/theme', (req, res) => {
  req.session.theme = req.body.theme === 'dark' ? 'dark' : 'light';
  res.json({ theme: req.session.theme });
});

module.exports = router;
