'use strict';
const mongoose = require('mongoose');

module.exports = mongoose.model(
  'User',
  new mongoose.Schema({
    email: { type: String, unique: true },
    name: String,
    role: { type: String, default: 'member' },
  }),
);
