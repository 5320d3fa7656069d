const express = require('express');
const cards = require('./routes/cards');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/cards', cards);

app.listen(process.env.PORT || 3000);
