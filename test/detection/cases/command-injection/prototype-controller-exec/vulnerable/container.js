const registry = new Map();

exports.register = (name, factory) => registry.set(name, factory);
exports.resolve = (name) => registry.get(name)(exports);

require('./controllers/backup');
