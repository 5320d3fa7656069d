const { archive } = require('../lib/archive');

async function dispatch(message) {
  switch (message.type) {
    case 'archive':
      return archive(message.project, message.format);
    case 'ping':
      return { pong: Date.now() };
    default:
      return { error: `unknown job ${message.type}` };
  }
}

module.exports = { dispatch };
