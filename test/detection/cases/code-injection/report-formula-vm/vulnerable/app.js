const express = require('express');
const reports = require('./routes/reports');

const app = express();
app.use(express.json());
app.use('/reports', reports);
app.listen(8080);
