const express = require('express');
const preferences = require('./routes/preferences');

const app = express();
app.use(express.json());
app.use('/me/preferences', preferences);
app.listen(3000);
