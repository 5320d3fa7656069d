const express = require('express');
const cors = require('cors');
const corsOptions = require('./config/cors');
const me = require('./routes/me');

const app = express();
app.use('/public', cors(), express.static('public'));
app.use('/me', cors(corsOptions), me);
app.listen(3000);
