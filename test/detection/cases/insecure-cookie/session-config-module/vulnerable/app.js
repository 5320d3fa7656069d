const express = require('express');
const session = require('express-session');
const sessionConfig = require('./config/session');
const prefs = require('./routes/prefs');

const app = express();
app.use(express.json());
app.use(session({ ...sessionConfig, cookie: { secure: false, httpOnly: false, maxAge: 24 * 60 * 60 * 1000 } }));
app.use('/prefs', prefs);
app.listen(3000);
