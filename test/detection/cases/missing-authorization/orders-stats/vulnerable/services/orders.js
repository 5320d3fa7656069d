'use strict';
const Order = require('../models/order');

async function listForUser(userId) {
  return Order.find({ user: userId }).sort({ _id: -1 });
}

async function getForUser(id, userId) {
  return Order.findOne({ _id: id, user: userId });
}

async function create(userId, { items, address }) {
  const total = items.reduce((sum, i) => sum + i.price * i.quantity, 0);
  return Order.create({ user: userId, items, address, total });
}

async function stats() {
  return Order.aggregate([{ $group: { _id: '$status', count: { $sum: 1 }, revenue: { $sum: '$total' } } }]);
}

module.exports = { listForUser, getForUser, create, stats };
