module.exports = `
  type Member { id: ID!, handle: String!, password: String }
  type Session { token: String!, member: Member! }
  type Query { ping: String }
  type Mutation { signIn(handle: String!, secret: String!): Session }
`;
