const express = require('express');
const orders = require('./routes/orders');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/customers', orders);

app.listen(process.env.PORT || 3000);
