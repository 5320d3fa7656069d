const express = require('express');
const config = require('./config');
const session = require('./routes/session');

const app = express();
app.use(express.json());
app.use('/session', session);
app.listen(config.port);
