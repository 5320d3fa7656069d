const { buildSchema } = require('graphql');

const schema = buildSchema(`
  type User { username: String, email: String }
  type Query { user(username: String!): User }
`);

module.exports = { schema };
