const express = require('express');
const { graphqlHTTP } = require('express-graphql');
const { schema } = require('./schema');
const graphqlController = require('./controllers/graphql');

const app = express();
app.use('/graphql', graphqlHTTP({ schema, rootValue: graphqlController.root, graphiql: false, validationRules: [require('graphql').NoSchemaIntrospectionCustomRule] }));
app.listen(4000);
