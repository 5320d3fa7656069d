const express = require('express');
const flags = require('./routes/flags');

const app = express();
app.use(express.json());
app.use('/flags', flags);
app.listen(3000);
