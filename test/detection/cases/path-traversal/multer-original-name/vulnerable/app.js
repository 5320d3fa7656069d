const express = require('express');
const attachments = require('./routes/attachments');

const app = express();
app.use('/attachments', attachments);
app.listen(3000);
