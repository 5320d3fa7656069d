const express = require('express');
const reports = require('./routes/reports');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/reports', reports);

app.listen(process.env.PORT || 3000);
