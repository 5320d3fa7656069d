const User = require('../models/user');

async function findByResetToken(email, token) {
  return User.findOne({ email, resetToken: token, resetExpires: { $gt: Date.now() } });
}

async function setPassword(user, passwordHash) {
  user.passwordHash = passwordHash;
  user.resetToken = undefined;
  await user.save();
}

module.exports = { findByResetToken, setPassword };
