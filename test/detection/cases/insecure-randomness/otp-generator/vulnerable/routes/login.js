const express = require('express');
const { generateOtp } = require('../services/otp');

const router = express.Router();
const codes = new Map();

router.post('/code', (req, res) => {
  const phone = String(req.body.phone);
  codes.set(phone, generateOtp());
  res.status(202).json({ sent: true });
});

module.exports = router;
