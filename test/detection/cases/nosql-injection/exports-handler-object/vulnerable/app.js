const express = require('express');
const mongoose = require('mongoose');
const fs = require('fs');

const app = express();
app.use(express.json());
mongoose.connect(process.env.MONGO_URL);

// Every controller module exports its actions; the route is /<module>/<action>.
for (const file of fs.readdirSync(__dirname + '/controllers')) {
  const name = file.replace(/\.js$/, '');
  const actions = require('./controllers/' + file);
  for (const action of Object.keys(actions)) app.post(`/${name}/${action}`, actions[action]);
}
app.listen(3000);
