module.exports = `#graphql
  type Query { ping: String }
  type Mutation { saveAvatar(fileName: String!, contentBase64: String!): String }
`;
