const express = require('express');
const emails = require('./routes/emails');

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: true }));
app.use('/emails', emails);

app.listen(process.env.PORT || 3000);
