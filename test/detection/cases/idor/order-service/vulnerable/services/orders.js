'use strict';
const Order = require('../models/order');

async function listForUser(userId) {
  return Order.find({ user: userId }).sort({ _id: -1 });
}

async function getOrder(id) {
  const order = await Order.findById(id);
  if (!order) throw Object.assign(new Error('order not found'), { status: 404 });
  return order;
}

async function create(userId, { items, address }) {
  const total = items.reduce((sum, i) => sum + i.price * i.quantity, 0);
  return Order.create({ user: userId, items, address, total });
}

module.exports = { listForUser, getOrder, create };
