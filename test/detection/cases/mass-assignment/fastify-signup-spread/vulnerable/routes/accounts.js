'use strict';
const bcrypt = require('bcrypt');
const Account = require('../models/account');

module.exports = async function accounts(fastify) {
  fastify.post('/signup', async (request, reply) => {
    const passwordHash = await bcrypt.hash(String(request.body.password), 12);
    const account = await Account.create({ ...request.body, passwordHash });
    reply.code(201);
    return { id: account.id, email: account.email };
  });
};
