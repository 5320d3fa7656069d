const express = require('express');
const invoices = require('./routes/invoices');

const app = express();
app.use(express.text({ type: 'application/xml', limit: '1mb' }));
app.use('/invoices', invoices);
app.listen(3000);
