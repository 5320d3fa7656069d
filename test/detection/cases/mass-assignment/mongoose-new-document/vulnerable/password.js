const argon2 = require('argon2');

exports.digestPassword = (plain) => argon2.hash(plain, { type: argon2.argon2id });
