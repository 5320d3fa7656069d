const express = require('express');
const session = require('express-session');
const wallet = require('./routes/wallet');

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.use('/wallet', wallet);
app.listen(8080);
