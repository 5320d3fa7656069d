'use strict';
const express = require('express');
const { authenticate, requireRole } = require('./middleware/auth');
const reportsRouter = require('./routes/reports');
const adminRouter = require('./routes/admin');

const app = express();
app.use(express.json());

app.use('/api/reports', authenticate, requireRole('manager'), reportsRouter);
app.use('/api/admin', authenticate, adminRouter);

app.listen(process.env.PORT || 3000);
