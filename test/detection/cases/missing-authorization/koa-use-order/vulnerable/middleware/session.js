'use strict';
const users = require('../services/users');

// Puts the signed-in user (if any) on ctx.state for the rest of the chain.
async function loadUser(ctx, next) {
  if (ctx.session.userId) ctx.state.user = await users.byId(ctx.session.userId);
  await next();
}

// Refuses anonymous requests.
async function requireUser(ctx, next) {
  if (!ctx.state.user) ctx.throw(401, 'sign in first');
  await next();
}

module.exports = { loadUser, requireUser };
