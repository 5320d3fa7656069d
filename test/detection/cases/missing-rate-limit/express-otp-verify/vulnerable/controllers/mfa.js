const speakeasy = require('speakeasy');
const users = require('../users');

module.exports.verifyCode = function verifyCode(req, res) {
  const user = users.pendingMfa(req.body.challenge);
  if (!user) return res.sendStatus(404);
  const valid = speakeasy.totp.verify({ secret: user.totpSecret, encoding: 'base32', token: req.body.code });
  if (!valid) return res.status(401).json({ error: 'wrong code' });
  res.json({ token: users.issueToken(user) });
};
