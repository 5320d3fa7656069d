const express = require('express');
const reset = require('./routes/password-reset');

const app = express();
app.use(express.json());
app.use('/password-reset', reset);
app.listen(3000);
