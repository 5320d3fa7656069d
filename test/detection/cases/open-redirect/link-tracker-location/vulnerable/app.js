const express = require('express');
const links = require('./routes/links');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/l', links);

app.listen(process.env.PORT || 3000);
