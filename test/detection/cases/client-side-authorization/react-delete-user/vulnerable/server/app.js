'use strict';
const express = require('express');
const usersRouter = require('./routes/users');
const auditRouter = require('./routes/audit');

const app = express();
app.use(express.json());
app.use('/api/users', usersRouter);
app.use('/api/audit', auditRouter);

app.listen(process.env.PORT || 4000);
