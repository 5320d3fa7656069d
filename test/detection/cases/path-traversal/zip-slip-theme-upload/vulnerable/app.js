const express = require('express');
const themes = require('./routes/themes');

const app = express();
app.use('/admin/themes', themes);
app.listen(3000);
