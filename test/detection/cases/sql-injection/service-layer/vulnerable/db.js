const mysql = require('mysql2');

module.exports = mysql.createPool({ host: process.env.DB_HOST, user: 'app', database: 'app' });
