'use strict';
const express = require('express');
const profileRouter = require('./routes/profile');

const app = express();
app.use(express.json());
app.use('/api/profile', profileRouter);

app.listen(process.env.PORT || 3000);
