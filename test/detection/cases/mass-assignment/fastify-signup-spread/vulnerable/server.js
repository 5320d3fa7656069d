'use strict';
const Fastify = require('fastify');
const accounts = require('./routes/accounts');

const app = Fastify({ logger: true });
app.register(accounts, { prefix: '/api' });

app.listen({ port: Number(process.env.PORT) || 3000 });
