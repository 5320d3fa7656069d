const accounts = new Map();

exports.balanceOf = async (id) => accounts.get(id) || 0;

exports.transferFunds = async (from, to, amount) => {
  accounts.set(from, (accounts.get(from) || 0) - amount);
  accounts.set(to, (accounts.get(to) || 0) + amount);
};
