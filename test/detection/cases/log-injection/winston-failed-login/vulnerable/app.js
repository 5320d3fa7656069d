const express = require('express');
const session = require('./routes/session');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/session', session);

app.listen(process.env.PORT || 3000);
