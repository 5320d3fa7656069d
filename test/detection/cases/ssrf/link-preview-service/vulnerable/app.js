const express = require('express');
const previews = require('./routes/previews');

const app = express();
app.use(express.json());
app.use('/api/previews', previews);
app.listen(3000);
