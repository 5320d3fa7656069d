const { deploy, status } = require('../services/deployer');

module.exports = function registerDeployHandlers(io) {
  io.on('connection', (socket) => {
    socket.on('deploy:start', async ({ service, tag }, ack) => {
      try {
        ack({ ok: true, output: await deploy(service, tag) });
      } catch (err) {
        ack({ ok: false, error: err.message });
      }
    });

    socket.on('deploy:status', async (service, ack) => {
      ack(await status(service));
    });
  });
};
