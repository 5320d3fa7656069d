const express = require('express');
const uploads = require('./routes/uploads');

const app = express();
app.use('/uploads', uploads);
app.listen(3000);
