const express = require('express');
const health = require('./routes/health');

const app = express();

app.use((req, res, next) => {
  console.log(`${new Date().toISOString()} ${req.method} ${req.path} agent=${req.headers['user-agent']}`);
  next();
});
app.use('/health', health);
app.listen(process.env.PORT || 3000);
