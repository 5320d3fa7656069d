const express = require('express');
const importRoutes = require('./routes/import');

const app = express();
app.use('/import', importRoutes);
app.listen(3000);
