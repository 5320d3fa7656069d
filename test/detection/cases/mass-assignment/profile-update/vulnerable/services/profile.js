'use strict';
const User = require('../models/user');

const PUBLIC_FIELDS = 'email displayName bio avatarUrl';

async function getProfile(userId) {
  return User.findById(userId).select(PUBLIC_FIELDS);
}

async function updateProfile(userId, changes) {
  return User.findByIdAndUpdate(userId, changes, { new: true, runValidators: true }).select(PUBLIC_FIELDS);
}

module.exports = { getProfile, updateProfile };
