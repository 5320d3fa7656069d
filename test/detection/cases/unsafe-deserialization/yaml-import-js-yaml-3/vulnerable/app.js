const express = require('express');
const workflows = require('./routes/workflows');

const app = express();
app.use(express.text({ type: ['application/yaml', 'text/yaml'] }));
app.use('/workflows', workflows);
app.listen(3000);
