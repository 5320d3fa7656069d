'use strict';
const Fastify = require('fastify');
const jwt = require('@fastify/jwt');
const notes = require('./routes/notes');

const app = Fastify({ logger: true });
app.register(jwt, { secret: process.env.JWT_SECRET });

app.decorate('authenticate', async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch (err) {
    reply.code(401).send({ error: 'unauthorised' });
  }
});

app.register(notes, { prefix: '/notes' });

app.listen({ port: Number(process.env.PORT) || 3000 });
