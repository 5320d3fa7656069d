const mysql = require('mysql2/promise');

const pool = mysql.createPool({
  host: process.env.DB_HOST || 'localhost',
  user: process.env.DB_USER || 'inventory',
  database: 'inventory',
  password: process.env.DB_PASSWORD || 'Inv3nt0ry!2023#db',
  connectionLimit: 10,
});

module.exports = pool;
