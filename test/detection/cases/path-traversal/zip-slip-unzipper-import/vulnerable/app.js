const express = require('express');
const imports = require('./routes/imports');

const app = express();
app.use('/imports', imports);
app.listen(3000);
