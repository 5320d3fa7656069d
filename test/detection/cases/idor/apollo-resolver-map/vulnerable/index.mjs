import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { typeDefs } from './graphql/typeDefs.mjs';
import { resolvers } from './graphql/resolvers.mjs';
import { userFromRequest } from './auth.mjs';

const server = new ApolloServer({ typeDefs, resolvers });

const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4000) },
  context: async ({ req }) => ({ user: await userFromRequest(req) }),
});
console.log(`ready at ${url}`);
