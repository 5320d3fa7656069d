const express = require('express');
const passport = require('passport');
const members = require('./routes/members');

const app = express();
app.use(express.json());
app.use(passport.initialize());
app.use('/members', members);
module.exports = app;
