const express = require('express');
const webhooks = require('./routes/webhooks');

const app = express();
app.use(express.json());
app.use('/webhooks', webhooks);
app.listen(3000);
