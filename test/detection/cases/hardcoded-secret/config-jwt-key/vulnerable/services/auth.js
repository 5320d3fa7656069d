const jwt = require('jsonwebtoken');
const config = require('../config');

function issueToken(user) {
  return jwt.sign({ sub: user.id, role: user.role }, config.auth.signingKey, {
    issuer: config.auth.issuer,
    expiresIn: config.auth.expiresIn,
  });
}

module.exports = { issueToken };
