'use strict';
const express = require('express');
const session = require('express-session');
const ordersRouter = require('./routes/orders');
const authRouter = require('./routes/auth');

const app = express();
app.use(express.json());
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));

app.use('/api/auth', authRouter);
app.use('/api/orders', ordersRouter);

app.listen(process.env.PORT || 3000);
