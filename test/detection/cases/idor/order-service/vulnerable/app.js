'use strict';
const express = require('express');
const ordersRouter = require('./routes/orders');

const app = express();
app.use(express.json());
app.use('/api/orders', ordersRouter);

app.listen(process.env.PORT || 3000);
