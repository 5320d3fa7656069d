const EMAIL = /^([a-zA-Z0-9._-]+)+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$/;
const DIGIT = /\d/;

function isEmail(value) {
  return typeof value === 'string' && EMAIL.test(value);
}

function isStrongPassword(value) {
  return typeof value === 'string' && value.length >= 12 && DIGIT.test(value);
}

module.exports = { isEmail, isStrongPassword };
