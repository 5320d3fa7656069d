const diagnostics = require('./diagnostics');
const status = require('./status');

module.exports = (router) => {
  diagnostics(router);
  status(router);
  return router;
};
