const jwt = require('express-jwt');
const jwksRsa = require('jwks-rsa');

const requireAuth = jwt({
  secret: jwksRsa.expressJwtSecret({
    cache: true,
    rateLimit: true,
    jwksUri: 'https://login.example.com/.well-known/jwks.json',
  }),
  audience: 'reports-api',
  issuer: 'https://login.example.com/',
});

module.exports = { requireAuth };
