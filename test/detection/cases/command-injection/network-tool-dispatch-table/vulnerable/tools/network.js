const { exec } = require('child_process');

function ping(host, done) {
  exec('ping -c 3 ' + host, { timeout: 10000 }, (err, stdout) => done(err, stdout));
}

function uptime(_host, done) {
  exec('uptime', (err, stdout) => done(err, stdout));
}

module.exports = { ping, uptime };
