const express = require('express');
const container = require('./container');

const app = express();
app.use(express.json());
container.resolve('routes').forEach(({ verb, url, handler }) => app[verb](url, handler));
app.listen(8080);
