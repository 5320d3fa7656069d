const express = require('express');
const search = require('./routes/search');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/search', search);

app.listen(process.env.PORT || 3000);
