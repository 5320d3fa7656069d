'use strict';
const express = require('express');
const loadRoutes = require('./lib/load-routes');
const ReportController = require('./controllers/ReportController');

const app = express();
app.use(express.json());

const controllers = { reports: new ReportController({ currency: 'EUR' }) };
loadRoutes(app, require('./config/routes.json'), controllers);

app.listen(process.env.PORT || 3000);
