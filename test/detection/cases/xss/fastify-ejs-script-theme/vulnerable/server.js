'use strict';
const path = require('node:path');
const fastify = require('fastify')({ logger: true });

fastify.register(require('@fastify/view'), {
  engine: { ejs: require('ejs') },
  root: path.join(__dirname, 'web'),
});

fastify.get('/dashboard', async function (request, reply) {
  const { theme, accent } = request.query;
  return reply.view('dashboard.ejs', { theme, accent });
});

fastify.listen({ port: 3000 });
