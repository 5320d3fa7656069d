'use strict';
const bcrypt = require('bcrypt');
const User = require('../models/user');

async function checkPassword(email, password) {
  const user = await User.findOne({ email });
  return user && (await bcrypt.compare(password, user.passwordHash)) ? user : null;
}

async function register(email, password) {
  return User.create({ email, passwordHash: await bcrypt.hash(password, 12) });
}

module.exports = { checkPassword, register };
