function signedIn(req, res, next) {
  if (!req.user) return res.status(401).json({ message: 'sign in' });
  return next();
}

function staffOnly(req, res, next) {
  if (!req.user || req.user.role !== 'staff') return res.status(403).json({ message: 'staff only' });
  return next();
}

module.exports = { signedIn, staffOnly };
