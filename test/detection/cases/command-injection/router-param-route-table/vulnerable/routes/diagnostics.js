const controller = require('../controllers/diagnostics');

module.exports = (router) => {
  router.route('/diagnostics/ping')
    .post(controller.ping);
};
