const express = require('express');
const plugins = require('./plugins');

const app = express();
for (const plugin of plugins) plugin.install(app);
app.listen(3000);
