const PRODUCTS = [
  { id: 1, name: 'Trail running shoes' },
  { id: 2, name: 'Rain jacket' },
  { id: 3, name: 'Running socks' },
];

function findByName(fragment) {
  const pattern = new RegExp(fragment, 'i');
  return PRODUCTS.filter((p) => pattern.test(p.name));
}

module.exports = { findByName };
