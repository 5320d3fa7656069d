const express = require('express');
const { ApolloServer } = require('apollo-server-express');
const { makeExecutableSchema } = require('@graphql-tools/schema');
const typeDefs = require('./typeDefs');
const resolvers = require('./resolvers');

async function start() {
  const app = express();
  const server = new ApolloServer({ schema: makeExecutableSchema({ typeDefs, resolvers }) });
  await server.start();
  server.applyMiddleware({ app, path: '/gql' });
  app.listen(process.env.PORT || 4100);
}

start();
