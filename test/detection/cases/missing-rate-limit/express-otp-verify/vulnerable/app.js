const express = require('express');
const mfa = require('./controllers/mfa');

const app = express();
app.use(express.json());
app.post('/api/mfa/verify', mfa.verifyCode);
app.listen(process.env.PORT || 3000);
