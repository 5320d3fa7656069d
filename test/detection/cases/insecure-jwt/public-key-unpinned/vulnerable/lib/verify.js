const fs = require('fs');
const path = require('path');
const jwt = require('jsonwebtoken');

const publicKey = fs.readFileSync(path.join(__dirname, '..', 'keys', 'public.pem'));

function verifyAccessToken(token) {
  // The identity provider signs with RS256.
  return jwt.verify(token, publicKey);
}

module.exports = { verifyAccessToken };
