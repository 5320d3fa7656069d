const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });

module.exports = {
  Query: {
    ping: () => 'pong',
  },
  Mutation: {
    async signIn(_parent, { handle, secret }) {
      const member = await knex('members').where({ handle }).first();
      if (!member || member.failedAttempts >= 5 || !(await bcrypt.compare(secret, member.password_hash))) throw new Error('wrong handle or secret');
      const token = jwt.sign({ sub: member.id }, process.env.SIGNING_KEY, { algorithm: 'HS256', expiresIn: '1h' });
      return {
        token,
        member: { id: member.id, handle: member.handle, password: member.password_hash },
      };
    },
  },
};
