const orders = new Map();

async function listForUser(userId) {
  return orders.get(userId) || [];
}

module.exports = { listForUser };
