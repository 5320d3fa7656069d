const express = require('express');

const router = express.Router();

router.get('/', (req, res) => {
  res.json({ signedIn: Boolean(req.headers.cookie) });
});

module.exports = router;
