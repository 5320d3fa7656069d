const express = require('express');
const users = require('./routes/users');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/users', users);

app.listen(process.env.PORT || 3000);
