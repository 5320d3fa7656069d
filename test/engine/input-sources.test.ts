// Input the engine learned to see outside request members (models/frameworks.ts, models/sources.ts): GraphQL
// resolver arguments, multipart parts (busboy, formidable), XML parsed through a callback, XML-RPC parameters;
// and the values that stay safe (typed GraphQL arguments carry no Mongo operators, parsers' other callbacks).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyse } from './helpers.js';

async function hits(files: Record<string, string>) {
  const { candidates } = await analyse(files);
  return candidates.filter((c) => !c.evidence.analysis).map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine} ${c.evidence.sourceKind}`).sort();
}

const EXEC = "const { exec } = require('child_process');\n";

describe('GraphQL resolvers', () => {
  test('graphql() rootValue resolvers take the arguments first', async () => {
    const code = `${EXEC}const { graphql, buildSchema } = require('graphql');\nconst schema = buildSchema('type Query { run(cmd: String): String }');\nconst rootValue = { run: (args) => { exec(args.cmd); return 'ok'; } };\nmodule.exports = (source) => graphql({ schema, source, rootValue });\n`;
    assert.deepEqual(await hits({ 'gql.js': code }), ['command-injection@gql.js:4 graphql.args']);
  });

  test('a resolver map passed to makeExecutableSchema: (parent, args); the parent is not input', async () => {
    const code = `${EXEC}const { makeExecutableSchema } = require('@graphql-tools/schema');\nconst resolvers = { Query: { run(parent, args) { exec(parent.cmd); exec(args.cmd); return ''; } } };\nmodule.exports = makeExecutableSchema({ typeDefs: '', resolvers });\n`;
    assert.deepEqual(await hits({ 'gql.js': code }), ['command-injection@gql.js:3 graphql.args']);
  });

  test('GraphQLObjectType fields: resolve(source, args)', async () => {
    const code = `${EXEC}const { GraphQLObjectType, GraphQLString } = require('graphql');\nmodule.exports = new GraphQLObjectType({ name: 'Q', fields: { run: { type: GraphQLString, resolve: (src, { cmd }) => exec(cmd) } } });\n`;
    assert.deepEqual(await hits({ 'gql.js': code }), ['command-injection@gql.js:3 graphql.args']);
  });

  test('typed arguments carry no MongoDB operators', async () => {
    const code = "const { ApolloServer } = require('apollo-server');\nconst mongoose = require('mongoose');\nconst User = mongoose.model('User', new mongoose.Schema({ name: String }));\nconst resolvers = { Query: { user: (p, args) => User.findOne({ name: args.name }) } };\nnew ApolloServer({ typeDefs: '', resolvers });\n";
    assert.deepEqual(await hits({ 'gql.js': code }), []);
  });
});

describe('multipart uploads', () => {
  const app = (body: string) => `const express = require('express');\n${EXEC}const busboy = require('busboy');\nconst formidable = require('formidable');\nconst app = express();\napp.post('/u', (req, res) => {\n${body}\n});\napp.listen(3000);\n`;

  test("busboy: a file's name and a field's value", async () => {
    const body = "  const bb = busboy({ headers: req.headers });\n  bb.on('file', (name, file, info) => exec('file ' + info.filename));\n  bb.on('field', (name, value) => exec('echo ' + value));\n  bb.on('close', () => res.end());\n  req.pipe(bb);";
    assert.deepEqual(await hits({ 'app.js': app(body) }), ['command-injection@app.js:8 multipart upload', 'command-injection@app.js:9 multipart upload']);
  });

  test('formidable: parse callback fields and files, not the error', async () => {
    const body = "  new formidable.IncomingForm().parse(req, (err, fields, files) => {\n    exec('x ' + err);\n    exec('y ' + fields.name + files.doc.originalFilename);\n    res.end();\n  });";
    assert.deepEqual(await hits({ 'app.js': app(body) }), ['command-injection@app.js:9 multipart upload']);
  });
});

describe('XML bodies and XML-RPC', () => {
  test('xml2js.parseString hands the parsed body to its callback; fs.readFile does not hand over its path', async () => {
    const code = `const express = require('express');\n${EXEC}const fs = require('fs');\nconst xml2js = require('xml2js');\nconst app = express();\napp.post('/soap', (req, res) => {\n  xml2js.parseString(req.body, (err, doc) => exec('id ' + doc.user));\n  fs.readFile('/etc/' + req.body.name, 'utf8', (err, data) => exec('echo ' + data));\n  res.end();\n});\napp.listen(3000);\n`;
    const found = await hits({ 'app.js': code });
    assert.ok(found.includes('command-injection@app.js:7 req.body'), found.join(', '));
    assert.ok(!found.some((f) => f.startsWith('command-injection@app.js:8')), found.join(', '));
  });

  test('XML-RPC method parameters (the error argument is not input)', async () => {
    const code = `${EXEC}const xmlrpc = require('xmlrpc');\nconst server = xmlrpc.createServer({ port: 9090 });\nserver.on('tools.run', (err, params, callback) => {\n  exec('run ' + err);\n  exec('run ' + params[0]);\n  callback(null, 'ok');\n});\n`;
    assert.deepEqual(await hits({ 'rpc.js': code }), ['command-injection@rpc.js:6 xmlrpc.params']);
  });
});

describe('implicit globals', () => {
  test('a name assigned without a declaration is read back in the same function', async () => {
    const code = `const express = require('express');\n${EXEC}const app = express();\napp.get('/x', (req, res) => {\n  command = 'ls ' + req.query.dir;\n  exec(command);\n  res.end();\n});\napp.listen(3000);\n`;
    assert.deepEqual(await hits({ 'app.js': code }), ['command-injection@app.js:6 req.query']);
  });
});

describe('uploaded files (multer, express-fileupload)', () => {
  const app = (body: string) => `const express = require('express');\n${EXEC}const fs = require('fs');\nconst multer = require('multer');\nconst upload = multer({ dest: 'uploads/' });\nconst app = express();\napp.post('/u', upload.single('doc'), (req, res) => {\n${body}\n  res.end();\n});\napp.listen(3000);\n`;

  test("the client's file name and content are input; where multer stored the file is the server's choice", async () => {
    const body = "  exec('file ' + req.file.path);\n  fs.readFileSync(req.file.path);\n  exec('file ' + req.file.originalname);\n  fs.writeFileSync('/srv/' + req.file.originalname, req.file.buffer);\n  eval(req.file.buffer.toString());";
    assert.deepEqual(await hits({ 'app.js': app(body) }), [
      'code-injection@app.js:12 req.file',
      'command-injection@app.js:10 req.file',
      'path-traversal@app.js:11 req.file',
    ]);
  });

  test("express-fileupload: a file's name is input, its temporary path is not", async () => {
    const body = "  const doc = req.files.doc;\n  fs.writeFileSync('/srv/docs/' + doc.name, doc.data);\n  exec('scan ' + doc.tempFilePath);";
    assert.deepEqual(await hits({ 'app.js': app(body) }), ['path-traversal@app.js:9 req.files']);
  });
});
