const express = require('express');
const accounts = require('./controllers/accounts');

const app = express();
app.use(express.json({ limit: '32kb' }));
app.post('/signup', accounts.signUp);

module.exports = app;
