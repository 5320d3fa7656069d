const express = require('express');
const { verifyAccessToken } = require('../lib/verify');

const router = express.Router();

router.get('/me', (req, res) => {
  try {
    const claims = verifyAccessToken((req.get('authorization') || '').slice(7));
    res.json({ id: claims.sub, email: claims.email });
  } catch (err) {
    res.status(401).json({ error: 'unauthorised' });
  }
});

module.exports = router;
