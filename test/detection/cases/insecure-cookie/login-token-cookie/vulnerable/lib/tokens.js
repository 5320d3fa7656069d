const jwt = require('jsonwebtoken');

function accessTokenFor(userId) {
  return jwt.sign({ sub: userId }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '15m' });
}

module.exports = { accessTokenFor };
