const xmlrpc = require('xmlrpc');
const needle = require('needle');

const server = xmlrpc.createServer({ host: '0.0.0.0', port: Number(process.env.RPC_PORT) || 9090 });

server.on('system.listMethods', (err, params, callback) => {
  callback(null, ['system.listMethods', 'monitor.checkUrl']);
});

server.on('monitor.checkUrl', (err, params, callback) => {
  const [url] = params;
  needle.get(url, { open_timeout: 3000 }, (error, response) => {
    if (error) return callback(null, { up: false });
    callback(null, { up: response.statusCode < 400, status: response.statusCode });
  });
});

module.exports = server;
