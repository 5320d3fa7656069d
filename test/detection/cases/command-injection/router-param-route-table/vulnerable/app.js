const express = require('express');
const routes = require('./routes');

const app = express();
const router = express.Router();
app.use(express.json());
app.use('/api', routes(router));
app.listen(3000);
