const express = require('express');
const signup = require('./routes/signup');

const app = express();
app.use(express.json());
app.use('/signup', signup);
app.listen(3000);
