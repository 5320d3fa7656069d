module.exports = {
  secret: 'keyboard cat',
  resave: false,
  saveUninitialized: false,
};
