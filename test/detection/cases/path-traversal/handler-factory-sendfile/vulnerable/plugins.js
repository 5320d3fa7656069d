const serveExport = require('./middleware/serve-export');

module.exports = [
  { name: 'exports', install: (app) => app.use('/exports', serveExport(process.env.EXPORT_DIR || '/var/exports')) },
];
