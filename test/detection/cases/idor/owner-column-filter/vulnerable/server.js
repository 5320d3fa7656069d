const express = require('express');
const session = require('express-session');
const { mountRoutes } = require('./lib/routes');

const app = express();
app.use(express.json());
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }));
app.use('/api', mountRoutes(express.Router()));
app.listen(8080);
