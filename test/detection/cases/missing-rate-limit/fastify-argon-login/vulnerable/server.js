import Fastify from 'fastify';
import argon2 from 'argon2';
import { findAccount } from './accounts.js';

const fastify = Fastify({ logger: true });

fastify.post('/session', async (request, reply) => {
  const account = await findAccount(request.body.login);
  const ok = account && (await argon2.verify(account.passwordHash, request.body.password));
  if (!ok) return reply.code(401).send({ error: 'bad credentials' });
  return { token: await reply.jwtSign({ sub: account.id }) };
});

await fastify.listen({ port: 3000 });
