import { GraphQLError } from 'graphql';
import { Invoice } from '../db/models.mjs';

const needUser = (user) => {
  if (!user) throw new GraphQLError('Unauthenticated', { extensions: { code: 'UNAUTHENTICATED' } });
};

export const resolvers = {
  Query: {
    invoices: async (_parent, _args, { user }) => {
      needUser(user);
      return Invoice.findAll({ where: { accountId: user.accountId } });
    },
    invoice: async (_parent, { id }, { user }) => {
      needUser(user);
      return Invoice.findByPk(id);
    },
  },
  Mutation: {
    markPaid: async (_parent, { id }, { user }) => {
      needUser(user);
      const invoice = await Invoice.findOne({ where: { id, accountId: user.accountId } });
      if (!invoice) throw new GraphQLError('Not found');
      return invoice.update({ paidAt: new Date() });
    },
  },
};
