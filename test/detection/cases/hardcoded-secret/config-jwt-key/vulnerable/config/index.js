module.exports = {
  port: Number(process.env.PORT || 3000),
  auth: {
    issuer: 'shop-api',
    signingKey: 'shop-api-jwt-signing-key',
    expiresIn: '2h',
  },
};
