'use strict';
const jwt = require('jsonwebtoken');

exports.requireAuth = (req, res, next) => {
  try {
    req.user = jwt.verify((req.headers.authorization || '').slice(7), process.env.JWT_SECRET, { algorithms: ['HS256'] });
    next();
  } catch {
    res.sendStatus(401);
  }
};

exports.requireRole = (role) => (req, res, next) => (req.user && req.user.role === role ? next() : res.sendStatus(403));
