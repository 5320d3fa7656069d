const mysql = require('mysql2');

const con = mysql.createConnection({ host: process.env.DB_HOST, user: 'app', database: 'app' });

async function getUser(arg) {
  const username = arg.username;
  const q = "SELECT username, email FROM users WHERE username = '" + username + "'";
  const [rows] = await con.promise().query(q);
  return rows[0];
}

const root = { user: getUser };

module.exports = { root };
