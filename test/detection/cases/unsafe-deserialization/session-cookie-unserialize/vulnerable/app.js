const express = require('express');
const cookieParser = require('cookie-parser');
const account = require('./routes/account');

const app = express();
app.use(cookieParser());
app.use('/account', account);
app.listen(3000);
