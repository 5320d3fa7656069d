'use strict';
const express = require('express');
const passport = require('passport');
require('./config/passport');
const invoicesRouter = require('./routes/invoices');
const accountRouter = require('./routes/account');

const app = express();
app.use(express.json());
app.use(passport.initialize());

app.use('/api/account', accountRouter);
app.use('/api/invoices', passport.authenticate('jwt', { session: false }), invoicesRouter);

app.listen(process.env.PORT || 3000);
