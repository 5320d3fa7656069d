const express = require('express');
const userService = require('./soap/user-service');

const app = express();
app.use('/soap/users', userService);
app.listen(8000);
