const dataSource = require('../data-source');

async function searchProducts(term, maxPrice) {
  const qb = dataSource.getRepository('Product').createQueryBuilder('product');
  qb.where("product.name ILIKE '%" + term + "%'");
  qb.andWhere('product.price <= :maxPrice', { maxPrice });
  return qb.getMany();
}

module.exports = { searchProducts };
