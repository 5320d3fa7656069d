'use strict';
const mongoose = require('mongoose');

const Ticket = mongoose.model('Ticket', new mongoose.Schema({
  subject: String,
  body: String,
  customerId: { type: mongoose.Schema.Types.ObjectId, ref: 'User' },
  status: { type: String, default: 'open' },
}));

module.exports = Ticket;
