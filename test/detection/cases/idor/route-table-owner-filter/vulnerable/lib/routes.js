const tasks = require('../handlers/tasks');

function mustBeLoggedIn(req, res, next) {
  if (!req.session.account) return res.status(401).send({ message: 'log in first' });
  next();
}

const TABLE = [
  ['get', '/tasks', tasks.mine],
  ['get', '/people/:memberId/tasks', tasks.ofMember],
  ['post', '/tasks', tasks.add],
];

function mountRoutes(router) {
  for (const [verb, path, handler] of TABLE) router[verb](path, mustBeLoggedIn, handler);
  return router;
}

module.exports = { mountRoutes };
