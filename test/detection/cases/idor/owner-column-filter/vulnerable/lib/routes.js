const tasks = require('../handlers/tasks');

function mustBeLoggedIn(req, res, next) {
  if (!req.session.account) return res.status(401).send({ message: 'log in first' });
  next();
}

function mountRoutes(router) {
  router.use(mustBeLoggedIn);
  router.route('/tasks').get(tasks.mine).post(tasks.add);
  router.route('/people/:memberId/tasks').get(tasks.ofMember);
  return router;
}

module.exports = { mountRoutes };
