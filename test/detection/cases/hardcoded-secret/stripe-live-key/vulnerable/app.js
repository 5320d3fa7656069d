const express = require('express');
const checkout = require('./routes/checkout');

const app = express();
app.use('/checkout', checkout);
app.listen(3000);
