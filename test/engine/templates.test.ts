// Server-side views: which outputs of a template are XSS sinks (raw, or escaped in script context) per
// template language, how a render call's view name is resolved, and end to end from a route to the template line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTemplateIndex, scanTemplate } from '../../activities/engines/builtin/js/templates.js';
import { TEMPLATE_LANGUAGES } from '../../activities/engines/builtin/models/templates.js';
import { findings, summary } from './helpers.js';

const lang = (id: string) => TEMPLATE_LANGUAGES.find((l) => l.id === id)!;
/** `line:context:root.path` of each unsafe output. */
const scan = (id: string, text: string) =>
  scanTemplate('t', text, lang(id)).flatMap((u) => u.refs.map((r) => `${u.line}:${u.context}:${[r.root, ...r.path].join('.')}`));

describe('template outputs', () => {
  test('EJS: raw tags everywhere, escaped tags only in script context outside string literals', () => {
    const t = [
      '<p><%- bio %></p>',
      '<p><%= name %></p>',
      '<script>',
      '  var page = <%= page %>;',
      '  var label = "<%= label %>";',
      '  var data = <%- JSON.stringify({ q: query }) %>;',
      '  var safe = <%- JSON.stringify(state).replace(/</g, "\\\\u003c") %>;',
      '</script>',
      '<button onclick="go(\'<%= target %>\')">Go</button>',
      '<a href="javascript:open(<%= doc %>)">x</a>',
      '<a href="/u/<%= user %>">x</a>',
      '<div><%- escapeHtml(comment) %></div>',
      '<% items.forEach(function (item) { %><li><%- item.title %></li><% }) %>',
      '<%- include("partials/footer") %>',
      '<script type="application/json"><%= config %></script>',
    ].join('\n');
    assert.deepEqual(scan('ejs', t).sort(), [
      '1:raw:bio', '10:script:doc', '13:raw:items.*.title', '4:script:page', '6:raw:query', '9:script:target',
    ].sort());
  });

  test('Pug: != and !{} are raw; escaped output in a script. block is script context', () => {
    const t = ['div', '  p!= profile.bio', '  p= profile.name', '  span !{note}', '  span #{title}', '  script.', '    var id = #{userId};', 'each row in rows', '  td!= row.cell'].join('\n');
    assert.deepEqual(scan('pug', t).sort(), ['2:raw:profile.bio', '4:raw:note', '7:script:userId', '9:raw:rows.*.cell']);
  });

  test('Handlebars: triple-stash and {{& }} are raw; names inside {{#each}} are fields of the elements', () => {
    const t = ['<h1>{{title}}</h1>', '<div>{{{body}}}</div>', '<div>{{& footer}}</div>', '{{#each posts}}', '  <p>{{{text}}}</p><i>{{{this.author}}}</i>', '{{/each}}', '{{{formatDate when}}}'].join('\n');
    assert.deepEqual(scan('handlebars', t).sort(), ['2:raw:body', '3:raw:footer', '5:raw:posts.*.author', '5:raw:posts.*.text', '7:raw:when']);
  });

  test('Nunjucks: | safe and autoescape-off regions are raw; plain {{ }} is escaped', () => {
    const t = ['<p>{{ name }}</p>', '<p>{{ bio | safe }}</p>', '{% autoescape false %}', '<p>{{ motto }}</p>', '{% endautoescape %}', '{% for c in comments %}<li>{{ c.body | safe }}</li>{% endfor %}'].join('\n');
    assert.deepEqual(scan('nunjucks', t).sort(), ['2:raw:bio', '4:raw:motto', '6:raw:comments.*.body']);
  });

  test('Eta: <%~ %> is raw and data is read through `it`', () => {
    assert.deepEqual(scan('eta', '<p><%~ it.user.bio %></p><p><%= it.user.name %></p>'), ['1:raw:user.bio']);
  });
});

describe('view resolution', () => {
  const files: Record<string, string> = {
    'app.js': "app.set('views', path.join(__dirname, 'server/views'));\napp.set('view engine', 'ejs');",
    'server/views/home.ejs': '<%- x %>',
    'server/views/admin/index.ejs': '<%- y %>',
    'examples/views/home.ejs': '<%- z %>',
    'server/views/home.hbs': '{{{x}}}',
  };
  const index = createTemplateIndex(Object.keys(files), (p) => files[p], [files['app.js']]);

  test('the configured folder and engine win over other views of the same name', () => {
    assert.deepEqual(index.resolve('server/routes/home.js', 'home'), { files: ['server/views/home.ejs'], ambiguous: false });
    assert.deepEqual(index.resolve('server/routes/admin.js', 'admin'), { files: ['server/views/admin/index.ejs'], ambiguous: false });
    assert.deepEqual(index.resolve('server/routes/home.js', 'home.hbs').files, ['server/views/home.hbs']);
    assert.deepEqual(index.resolve('server/routes/home.js', 'missing').files, []);
  });
});

describe('render calls to template lines', () => {
  const app = (handler: string) => `const express = require('express');
const app = express();
app.set('view engine', 'ejs');
app.get('/page', ${handler});
app.listen(3000);
`;

  test('a query value written raw is reported at the template line, with the render call in the trace', async () => {
    const cs = await findings({ 'app.js': app("(req, res) => res.render('page', { title: req.query.t })"), 'views/page.ejs': '<html>\n<h1><%- title %></h1>\n</html>\n' }, 'xss');
    assert.deepEqual(summary(cs), ['xss@views/page.ejs:2']);
    assert.ok(cs[0].trace.some((s) => s.file === 'app.js' && /passed to the view `page` as `title`/.test(s.label)));
    assert.ok(cs[0].dependsOn.includes('views/page.ejs'));
  });

  test('escaped output, a number, an escaping call on the JS side and a constant are not findings', async () => {
    const t = '<h1><%= a %></h1><p><%- b %></p><p><%- c %></p><p><%- d %></p>';
    const handler = "(req, res) => res.render('page', { a: req.query.a, b: parseInt(req.query.b, 10), c: require('escape-html')(req.query.c), d: 'fixed' })";
    assert.deepEqual(summary(await findings({ 'app.js': app(handler), 'views/page.ejs': t }, 'xss')), []);
  });

  test('a partial sees the including view\'s data', async () => {
    const cs = await findings({ 'app.js': app("(req, res) => res.render('page', { q: req.query.q })"), 'views/page.ejs': "<%- include('parts/box') %>\n", 'views/parts/box.ejs': '<div>\n<%- q %>\n</div>\n' }, 'xss');
    assert.deepEqual(summary(cs), ['xss@views/parts/box.ejs:2']);
  });
});
