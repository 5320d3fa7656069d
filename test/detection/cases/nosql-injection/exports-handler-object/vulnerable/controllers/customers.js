const Customer = require('../models/customer');

exports.search = async (req, res) => {
  const filter = req.body.filter || {};
  const customers = await Customer.find(filter).limit(50);
  res.json(customers);
};
