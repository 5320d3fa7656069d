'use strict';
const jwt = require('jsonwebtoken');

// The signed-in user from the bearer token, or null for an anonymous caller.
function sessionUser(req) {
  const header = req.headers.authorization || '';
  if (!header.startsWith('Bearer ')) return null;
  try {
    return jwt.verify(header.slice(7), process.env.TOKEN_KEY, { algorithms: ['HS256'] });
  } catch {
    return null;
  }
}

module.exports = { sessionUser };
