'use strict';
const express = require('express');
const { createHandler } = require('graphql-http/lib/use/express');
const { schema } = require('./schema');
const { sessionUser } = require('./session');

const app = express();
app.use(express.json());
app.all('/graphql', createHandler({ schema, validationRules: [require('graphql').NoSchemaIntrospectionCustomRule], context: (req) => ({ viewer: sessionUser(req.raw) }) }));

app.listen(4000);
