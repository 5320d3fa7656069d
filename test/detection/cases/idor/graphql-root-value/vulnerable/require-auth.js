'use strict';
const jwt = require('jsonwebtoken');

module.exports = function requireAuth(req, res, next) {
  const [scheme, token] = String(req.headers.authorization || '').split(' ');
  if (scheme !== 'Bearer' || !token) return res.sendStatus(401);
  jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'] }, (err, claims) => {
    if (err) return res.sendStatus(401);
    req.user = claims;
    next();
  });
};
