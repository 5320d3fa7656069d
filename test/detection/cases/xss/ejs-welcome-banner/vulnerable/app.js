const path = require('path');
const express = require('express');
const welcome = require('./routes/welcome');

const app = express();
app.set('views', path.join(__dirname, 'templates'));
app.set('view engine', 'ejs');
app.use(express.urlencoded({ extended: false }));
app.use('/', welcome);

app.listen(process.env.PORT || 8080);
