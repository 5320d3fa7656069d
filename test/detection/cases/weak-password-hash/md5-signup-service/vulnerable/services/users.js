const crypto = require('crypto');
const store = require('../models/store');

async function register(email, password) {
  const passwordHash = crypto.createHash('md5').update(password).digest('hex');
  return store.insertUser({ email, passwordHash });
}

function avatarKey(imageBytes) {
  return crypto.createHash('sha256').update(imageBytes).digest('hex');
}

module.exports = { register, avatarKey };
