const express = require('express');
const images = require('./routes/images');

const app = express();
app.use('/images', images);
app.listen(3000);
