const express = require('express');
const password = require('./routes/password');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/password', password);

app.listen(process.env.PORT || 3000);
