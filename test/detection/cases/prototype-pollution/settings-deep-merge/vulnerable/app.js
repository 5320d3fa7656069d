const express = require('express');
const settings = require('./routes/settings');

const app = express();
app.use(express.json());
app.use('/settings', settings);
app.listen(3000);
