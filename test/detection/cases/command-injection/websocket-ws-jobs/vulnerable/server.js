const http = require('http');
const { WebSocketServer } = require('ws');
const { dispatch } = require('./jobs/dispatch');

const server = http.createServer();
const wss = new WebSocketServer({ server, path: '/jobs' });

wss.on('connection', (socket, req) => {
  socket.on('message', async (raw) => {
    let message;
    try {
      message = JSON.parse(raw.toString());
    } catch {
      return socket.send(JSON.stringify({ error: 'invalid JSON' }));
    }
    const result = await dispatch(message);
    socket.send(JSON.stringify(result));
  });
  socket.on('close', () => console.log('client left', req.socket.remoteAddress));
});

server.listen(8080);
