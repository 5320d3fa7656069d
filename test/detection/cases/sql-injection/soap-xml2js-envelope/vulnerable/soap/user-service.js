const express = require('express');
const xml2js = require('xml2js');
const sqlite3 = require('sqlite3');

const db = new sqlite3.Database('users.db');
const router = express.Router();
router.use(express.text({ type: ['text/xml', 'application/soap+xml'] }));

router.post('/', (req, res) => {
  xml2js.parseString(req.body, { explicitArray: false }, (err, envelope) => {
    if (err) return res.status(400).send('malformed envelope');
    const username = envelope['soap:Envelope']['soap:Body'].GetUser.username;
    const sql = "SELECT username, email FROM users WHERE username = '" + username + "'";
    db.all(sql, (e, rows) => {
      if (e) return res.status(500).end();
      res.type('text/xml').send(`<GetUserResponse><count>${rows.length}</count></GetUserResponse>`);
    });
  });
});

module.exports = router;
