const express = require('express');
const corsHeaders = require('./middleware/cors');
const cart = require('./routes/cart');

const app = express();
app.use(corsHeaders);
app.use('/cart', cart);
app.listen(3000);
