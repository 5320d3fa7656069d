'use strict';
const mongoose = require('mongoose');

const userSchema = new mongoose.Schema({
  email: { type: String, required: true, unique: true },
  displayName: String,
  bio: String,
  avatarUrl: String,
  passwordHash: String,
  role: { type: String, enum: ['member', 'moderator', 'admin'], default: 'member' },
  emailVerified: { type: Boolean, default: false },
});

module.exports = mongoose.model('User', userSchema);
