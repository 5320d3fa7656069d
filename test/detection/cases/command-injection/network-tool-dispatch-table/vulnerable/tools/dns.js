const childProcess = require('child_process');

exports.lookup = function lookup(host, done) {
  childProcess.exec(`dig +short ${host}`, { timeout: 5000 }, (err, stdout) => done(err, stdout));
};
