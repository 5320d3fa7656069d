'use strict';
const express = require('express');
const { graphqlHTTP } = require('express-graphql');
const { buildSchema } = require('graphql');
const { Pool } = require('pg');
const requireAuth = require('./require-auth');

const pool = new Pool();

const schema = buildSchema(`
  type User { id: ID!, name: String, email: String, phone: String }
  type Query { me: User, user(id: ID!): User }
  type Mutation { rename(name: String!): User }
`);

// express-graphql hands root resolvers (args, request): the request carries the verified user.
const root = {
  async me(_args, req) {
    const { rows } = await pool.query('SELECT id, name, email, phone FROM users WHERE id = $1', [req.user.id]);
    return rows[0];
  },
  async user({ id }) {
    const { rows } = await pool.query('SELECT id, name, email, phone FROM users WHERE id = $1', [id]);
    return rows[0];
  },
  async rename({ name }, req) {
    const { rows } = await pool.query('UPDATE users SET name = $1 WHERE id = $2 RETURNING id, name, email, phone', [name, req.user.id]);
    return rows[0];
  },
};

const app = express();
app.use('/graphql', requireAuth, graphqlHTTP({ schema, rootValue: root, graphiql: false, validationRules: [require('graphql').NoSchemaIntrospectionCustomRule] }));
app.listen(Number(process.env.PORT) || 5000);
