function redirectAfterLogin(res, returnTo) {
  res.redirect(returnTo || '/dashboard');
}

module.exports = { redirectAfterLogin };
