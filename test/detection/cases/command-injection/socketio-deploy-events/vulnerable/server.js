const http = require('http');
const express = require('express');
const { Server } = require('socket.io');
const registerDeployHandlers = require('./sockets/deploy');

const app = express();
app.get('/health', (req, res) => res.send('ok'));

const server = http.createServer(app);
const io = new Server(server, { cors: { origin: process.env.DASHBOARD_ORIGIN } });
registerDeployHandlers(io);

server.listen(4000);
