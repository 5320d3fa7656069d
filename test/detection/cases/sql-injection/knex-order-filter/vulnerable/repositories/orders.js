const db = require('../db');

function listOrders(customerId, status) {
  const query = db('orders').where('customer_id', customerId);
  return query.whereRaw(`status = '${status}'`).orderBy('created_at', 'desc');
}

module.exports = { listOrders };
