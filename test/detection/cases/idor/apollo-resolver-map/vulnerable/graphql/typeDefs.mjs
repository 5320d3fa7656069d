export const typeDefs = `#graphql
  type Invoice { id: ID!, number: String!, amountCents: Int!, paidAt: String }
  type Query { invoices: [Invoice!]!, invoice(id: ID!): Invoice }
  type Mutation { markPaid(id: ID!): Invoice }
`;
