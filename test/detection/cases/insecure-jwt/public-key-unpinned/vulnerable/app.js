const express = require('express');
const account = require('./routes/account');

const app = express();
app.use('/account', account);
app.listen(3000);
