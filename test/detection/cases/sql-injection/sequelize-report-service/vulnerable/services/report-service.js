const { QueryTypes } = require('sequelize');
const sequelize = require('../db');

async function salesByRegion(region) {
  return sequelize.query(
    "SELECT region, SUM(total) AS total FROM orders WHERE region = '" + region + "' GROUP BY region",
    { type: QueryTypes.SELECT },
  );
}

module.exports = { salesByRegion };
