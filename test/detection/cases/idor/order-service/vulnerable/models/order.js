'use strict';
const mongoose = require('mongoose');

const orderSchema = new mongoose.Schema({
  user: { type: mongoose.Schema.Types.ObjectId, ref: 'User', required: true },
  items: [{ sku: String, quantity: Number, price: Number }],
  address: String,
  total: Number,
  status: { type: String, default: 'open' },
});

module.exports = mongoose.model('Order', orderSchema);
