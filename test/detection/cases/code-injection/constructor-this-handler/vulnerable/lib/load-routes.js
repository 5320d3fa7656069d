'use strict';
// Routes are declared in a JSON table and bound to controller actions by name.
module.exports = function loadRoutes(app, table, controllers) {
  for (const r of table) {
    const controller = controllers[r.controller];
    app[r.method](r.path, controller[r.action].bind(controller));
  }
};
