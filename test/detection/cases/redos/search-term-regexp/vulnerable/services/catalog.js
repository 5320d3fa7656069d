const repository = require('../repositories/product-repository');

function search(term, limit) {
  const trimmed = String(term || '').trim();
  if (!trimmed) return [];
  return repository.findByName(trimmed).slice(0, limit);
}

module.exports = { search };
