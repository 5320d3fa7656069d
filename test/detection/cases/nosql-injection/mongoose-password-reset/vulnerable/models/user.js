const mongoose = require('mongoose');

const userSchema = new mongoose.Schema({
  email: { type: String, required: true, unique: true },
  passwordHash: String,
  resetToken: String,
  resetExpires: Number,
});

module.exports = mongoose.model('User', userSchema);
