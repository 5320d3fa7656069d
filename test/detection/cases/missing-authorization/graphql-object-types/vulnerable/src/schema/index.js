'use strict';
const { GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLID, GraphQLList, GraphQLNonNull } = require('graphql');
const Ticket = require('../models/ticket');

const TicketType = new GraphQLObjectType({
  name: 'Ticket',
  fields: { id: { type: GraphQLID }, subject: { type: GraphQLString }, body: { type: GraphQLString }, status: { type: GraphQLString } },
});

function signedIn(ctx) {
  if (!ctx.viewer) throw new Error('sign in to use the help desk');
  return ctx.viewer;
}

const QueryType = new GraphQLObjectType({
  name: 'Query',
  fields: {
    myTickets: {
      type: new GraphQLList(TicketType),
      resolve(_root, _args, ctx) {
        const viewer = signedIn(ctx);
        return Ticket.find({ customerId: viewer.sub });
      },
    },
    ticket: {
      type: TicketType,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_root, args) => Ticket.findById(args.id),
    },
  },
});

const MutationType = new GraphQLObjectType({
  name: 'Mutation',
  fields: {
    openTicket: {
      type: TicketType,
      args: { subject: { type: GraphQLString }, body: { type: GraphQLString } },
      async resolve(_root, { subject, body }, ctx) {
        if (!ctx.viewer) throw new Error('sign in to use the help desk');
        return Ticket.create({ subject, body, customerId: ctx.viewer.sub });
      },
    },
    closeTicket: {
      type: TicketType,
      args: { id: { type: GraphQLID } },
      async resolve(_root, { id }, ctx) {
        if (!ctx.viewer) throw new Error('sign in to use the help desk');
        return Ticket.findOneAndUpdate({ _id: id, customerId: ctx.viewer.sub }, { status: 'closed' }, { new: true });
      },
    },
  },
});

module.exports = { schema: new GraphQLSchema({ query: QueryType, mutation: MutationType }) };
