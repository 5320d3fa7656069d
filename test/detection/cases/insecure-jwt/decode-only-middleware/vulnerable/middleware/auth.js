const jwt = require('jsonwebtoken');

function requireUser(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.replace(/^Bearer /, '');
  if (!token) {
    return res.status(401).json({ error: 'missing token' });
  }
  const claims = jwt.decode(token);
  if (!claims || !claims.sub) {
    return res.status(401).json({ error: 'invalid token' });
  }
  req.user = { id: claims.sub, role: claims.role };
  next();
}

module.exports = { requireUser };
