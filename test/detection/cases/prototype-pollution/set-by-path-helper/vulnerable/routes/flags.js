const express = require('express');
const { setPath } = require('../utils/object-path');

const router = express.Router();
const flags = { checkout: { newFlow: false } };

router.post('/set', (req, res) => {
  setPath(flags, req.body.flag, req.body.enabled === true);
  res.json(flags);
});

module.exports = router;
