// The labelled set for npm run bench:retrieval, written by hand: past decisions as a team would record them,
// and new findings (queries), each with the past decision that answers it. Kinds: `paraphrase` (the same
// class and situation in other words, identifiers and files) and `near-miss` (the query shares its situation
// or words with a decision of another class; the answer is the one of its own class). Queries never copy the
// decision's wording. `reworded` queries describe the answer's situation by meaning, without its distinctive words
// (no shared middleware, library or directory names). Added after a first run showed that the other two kinds
// share so many words with their answers that BM25 ranks them as well; the first two kinds were not changed.
// `other-engine` queries (at the end) word a finding the way the other engine would.
import type { DescribedFinding } from '../../../activities/retrieval/decision-memory.js';

export interface LabelledDecision {
  id: string;
  finding: DescribedFinding;
  decision: 'approve' | 'reject';
  comment: string;
}

export interface LabelledQuery {
  id: string;
  finding: DescribedFinding;
  answer: string;
  kind: 'paraphrase' | 'near-miss' | 'reworded' | 'other-engine';
}

const CWE: Record<string, string> = {
  'sql-injection': 'CWE-89',
  'command-injection': 'CWE-78',
  'path-traversal': 'CWE-22',
  xss: 'CWE-79',
  ssrf: 'CWE-918',
  'code-injection': 'CWE-94',
  'open-redirect': 'CWE-601',
  'prototype-pollution': 'CWE-1321',
  'nosql-injection': 'CWE-943',
  deserialization: 'CWE-502',
  'hardcoded-secret': 'CWE-798',
  'weak-hash': 'CWE-328',
  xxe: 'CWE-611',
};

function finding(id: string, ruleId: string, title: string, explanation: string, file: string): DescribedFinding {
  return { id, fingerprint: `fp-${id}`, ruleId, cwe: CWE[ruleId]!, title, explanation, location: { file, startLine: 1, endLine: 1 } };
}
const d = (id: string, rule: string, title: string, explanation: string, file: string, decision: 'approve' | 'reject', comment: string): LabelledDecision => ({
  id,
  finding: finding(id, rule, title, explanation, file),
  decision,
  comment,
});
const q = (id: string, rule: string, title: string, explanation: string, file: string, answer: string, kind: LabelledQuery['kind'] = 'paraphrase'): LabelledQuery => ({
  id,
  finding: finding(id, rule, title, explanation, file),
  answer,
  kind,
});

export const DECISIONS: LabelledDecision[] = [
  d('sql-schema', 'sql-injection', 'SQL injection: req.query.id reaches db.query()', 'The id from the query string is concatenated into a SELECT statement. The route GET /users/:id is declared with requireSchema(userIdSchema).', 'db/users.js', 'reject', 'input is validated by the requireSchema middleware: the id must be a UUID before the handler runs'),
  d('sql-test', 'sql-injection', 'SQL injection: name reaches knex.raw()', 'A name is interpolated into knex.raw while seeding the database for the integration tests.', 'test/fixtures/seed-db.js', 'reject', 'test fixture code, never deployed or reachable from a request'),
  d('sql-orm', 'sql-injection', 'SQL injection: req.body.sort reaches knex.raw()', 'The sort column from the request body is interpolated into an ORDER BY clause through knex.raw.', 'models/order.js', 'approve', 'real bug: string interpolation in knex.raw; pass the column through an allowlist and use bindings'),
  d('sql-admin', 'sql-injection', 'SQL injection: req.query.from reaches pool.query()', 'A date from the query string goes into the reporting query of GET /admin/reports, mounted behind requireAdmin.', 'routes/admin/reports.js', 'reject', 'admin-only reporting route behind requireAdmin and the VPN; accepted risk, tracked in the risk register'),
  d('cmd-ping', 'command-injection', 'OS command injection: req.query.host reaches exec()', "The host from the query string is appended to 'ping -c 1 ' and run by child_process.exec in a shell.", 'lib/net/ping.js', 'approve', 'real: shell string built from the host; switch to execFile with an argument array'),
  d('cmd-devscript', 'command-injection', 'OS command injection: process.argv[2] reaches execSync()', 'A command-line argument is interpolated into an execSync call that sets up the local database.', 'scripts/dev/setup.js', 'reject', 'developer script run by hand on a laptop, not reachable from any request'),
  d('cmd-allowlist', 'command-injection', 'OS command injection: req.body.format reaches exec()', 'The output format from the body is passed to an ImageMagick convert command line run with exec.', 'lib/media/convert.js', 'reject', 'format is checked against the allowlist [png, jpg, webp] two lines above; nothing else reaches exec'),
  d('cmd-git', 'command-injection', 'OS command injection: payload.ref reaches exec()', "The branch name from the push webhook payload is put into 'git checkout ' and executed through a shell.", 'lib/deploy/git.js', 'approve', 'webhook branch names are attacker controlled; use spawn with arguments and no shell'),
  d('path-basename', 'path-traversal', 'Path traversal: req.params.name reaches res.sendFile()', 'A file name from the URL is joined to the uploads directory and sent. The upload router applies sanitizeFilename to every name.', 'routes/files.js', 'reject', 'the upload middleware applies path.basename; no directory parts get through'),
  d('path-test', 'path-traversal', 'Path traversal: name reaches fs.readFileSync()', 'A fixture name is joined to the fixtures directory and read in a helper used by the unit tests.', 'test/helpers/load-fixture.js', 'reject', 'test helper, only called with constant fixture names'),
  d('path-zip', 'path-traversal', 'Path traversal: entry.fileName reaches fs.createWriteStream()', 'Entries of an uploaded zip archive are written under the extraction directory using their own names.', 'lib/archive/extract.js', 'approve', 'zip slip: entry names with ../ escape the target; resolve each path and check it stays under the directory'),
  d('path-static', 'path-traversal', 'Path traversal: req.path reaches send()', 'The request path is passed to send() to serve assets from the public directory.', 'routes/static.js', 'reject', 'send() is given the root option, which already refuses paths outside the public directory'),
  d('xss-escape', 'xss', 'Cross-site scripting: req.query.q reaches res.render()', 'The search term is passed to the results template and printed with <%= q %>.', 'views/search.ejs', 'reject', 'EJS <%= %> escapes HTML; the value is never printed with <%- %>'),
  d('xss-admin', 'xss', 'Cross-site scripting: post.body reaches innerHTML', 'The body of a stored blog post is written with innerHTML in the admin preview panel.', 'public/admin/preview.js', 'approve', 'stored XSS against administrators; sanitise with DOMPurify before inserting'),
  d('xss-json', 'xss', 'Cross-site scripting: req.query.term reaches res.send()', 'The search term is echoed back inside the response object of the search API.', 'routes/api/search.js', 'reject', 'the response is application/json with nosniff, never rendered as HTML by a browser'),
  d('xss-test', 'xss', 'Cross-site scripting: html reaches document.write()', 'A HTML string is written with document.write in the browser test harness.', 'test/browser/harness.js', 'reject', 'test harness page, only loads in the test runner'),
  d('ssrf-allowlist', 'ssrf', 'Server-side request forgery: hook.url reaches fetch()', 'Webhook URLs stored by customers are fetched when an event is delivered.', 'lib/webhooks/deliver.js', 'reject', 'webhook URLs are checked against the allowed hosts list when they are registered, and private ranges are blocked'),
  d('ssrf-proxy', 'ssrf', 'Server-side request forgery: req.query.url reaches fetch()', 'The image proxy fetches any URL given in the query string and streams the response back.', 'routes/proxy.js', 'approve', 'open proxy into our network; restrict to image hosts and block private and metadata addresses'),
  d('ssrf-config', 'ssrf', 'Server-side request forgery: settings.endpoint reaches axios.get()', 'The synchronisation job requests an endpoint read from the settings service.', 'jobs/sync-inventory.js', 'reject', 'the endpoint comes from our own configuration service, operators only; no user input'),
  d('eval-calc', 'code-injection', 'Code injection: req.body.expression reaches eval()', 'The calculator endpoint evaluates the expression sent by the client with eval.', 'routes/calc.js', 'approve', 'eval of request data is remote code execution; use a math expression parser'),
  d('eval-build', 'code-injection', 'Code injection: source reaches new Function()', 'Templates are compiled into functions with new Function from files read at build time.', 'lib/templates/compile.js', 'reject', 'the template sources are files in our repository compiled during the build, never user content'),
  d('eval-test', 'code-injection', 'Code injection: snippet reaches vm.runInNewContext()', 'Documentation snippets are executed in a vm context to check that they run.', 'test/docs/snippets.test.js', 'reject', 'runs our own documentation examples in CI only'),
  d('redirect-relative', 'open-redirect', 'Open redirect: req.query.next reaches res.redirect()', 'After login the user is redirected to the next parameter.', 'routes/auth/login.js', 'reject', 'next is checked to start with a single slash and not //, so only same-site paths are allowed'),
  d('redirect-oauth', 'open-redirect', 'Open redirect: req.query.redirect_uri reaches res.redirect()', 'The OAuth callback redirects to the redirect_uri given by the client application.', 'routes/oauth/authorize.js', 'approve', 'redirect_uri is not compared with the URIs registered for the client; tokens can leak to an attacker site'),
  d('proto-merge', 'prototype-pollution', 'Prototype pollution: req.body reaches deepMerge()', 'The request body is deep-merged into the user preferences object.', 'lib/util/merge.js', 'approve', 'a __proto__ key pollutes Object.prototype; skip __proto__/constructor keys or merge into Object.create(null)'),
  d('proto-strict', 'prototype-pollution', 'Prototype pollution: req.body reaches Object.assign() recursively', 'Settings sent by the client are recursively assigned onto the account settings.', 'routes/settings.js', 'reject', 'the body is parsed with a strict zod schema first; unknown keys such as __proto__ are rejected'),
  d('nosql-login', 'nosql-injection', 'NoSQL injection: req.body.password reaches User.findOne()', 'The login handler queries the users collection with the username and password from the body.', 'routes/auth/login-api.js', 'approve', 'operator injection: {"$ne": null} as password logs anyone in; cast both fields to strings'),
  d('nosql-sanitize', 'nosql-injection', 'NoSQL injection: req.query.filter reaches Item.find()', 'A filter object from the query string is passed to the items collection.', 'routes/items.js', 'reject', 'express-mongo-sanitize is mounted globally and strips keys starting with $ before any handler'),
  d('deser-yaml', 'deserialization', 'Unsafe deserialisation: upload.buffer reaches yaml.load()', 'Uploaded configuration files are parsed with js-yaml load using the default schema.', 'lib/config/import.js', 'approve', 'the full schema builds arbitrary JS types from the upload; use the safe/core schema'),
  d('deser-cookie', 'deserialization', 'Unsafe deserialisation: req.cookies.session reaches unserialize()', 'The session cookie is deserialised to restore the cart.', 'middleware/session.js', 'reject', 'the cookie is HMAC-signed and verified before unserialize; only our server can produce it'),
  d('secret-example', 'hardcoded-secret', 'Hard-coded credential: API key literal in source', 'A string that looks like an API key is assigned to apiKey in the configuration module.', 'config/example.config.js', 'reject', 'placeholder in the example configuration, not a real key'),
  d('secret-live', 'hardcoded-secret', 'Hard-coded credential: Stripe secret key literal', 'A live Stripe secret key (sk_live_...) is passed to the Stripe client constructor.', 'lib/billing/stripe.js', 'approve', 'a live payment key is committed; rotate it now and read it from the environment'),
  d('md5-etag', 'weak-hash', 'Weak hash: md5 used in createHash()', 'An md5 digest of the response body is computed and set as the ETag header.', 'lib/http/cache.js', 'reject', 'md5 here only makes cache validators; no security property depends on it'),
  d('md5-password', 'weak-hash', 'Weak hash: md5 used in createHash()', 'Passwords are hashed with md5 before they are stored in the users table.', 'lib/auth/password.js', 'approve', 'md5 is unsuitable for passwords; migrate to argon2id with a per-user salt'),
  d('xxe-upload', 'xxe', 'XML external entities: req.file.buffer reaches parseXml()', 'Uploaded XML invoices are parsed with libxmljs with the noent option enabled.', 'lib/import/invoices.js', 'approve', 'noent expands external entities from an upload: file disclosure and SSRF; turn it off'),
  d('xxe-own', 'xxe', 'XML external entities: xml reaches parseString()', 'The sitemap generator parses XML it has just produced.', 'lib/seo/sitemap.js', 'reject', 'the parser does not resolve external entities, and the XML is our own output'),
];

export const QUERIES: LabelledQuery[] = [
  // SQL injection
  q('q-sql-schema-1', 'sql-injection', 'SQL injection: req.params.accountId reaches connection.query()', 'The account id path parameter is concatenated into the SQL text. The route is registered with requireSchema(accountParams).', 'db/accounts.js', 'sql-schema'),
  q('q-sql-schema-2', 'sql-injection', 'SQL injection: req.query.customer reaches db.query()', 'A customer identifier is spliced into a SELECT; the handler sits behind the requireSchema validator for its parameters.', 'db/customers.js', 'sql-schema'),
  q('q-sql-test-1', 'sql-injection', 'SQL injection: table reaches db.exec()', 'A table name is formatted into a TRUNCATE statement to reset state between integration tests.', 'test/fixtures/reset.js', 'sql-test'),
  q('q-sql-test-2', 'sql-injection', 'SQL injection: row.name reaches sequelize.query()', 'Seed rows are inserted with string-built SQL by the test database loader.', 'test/setup/load-seed.js', 'sql-test'),
  q('q-sql-orm-1', 'sql-injection', 'SQL injection: req.query.orderBy reaches knex.raw()', 'The ordering column from the query string is interpolated into knex.raw for the product listing.', 'models/product.js', 'sql-orm'),
  q('q-sql-admin-1', 'sql-injection', 'SQL injection: req.body.month reaches pool.query()', 'The month chosen in the admin export form is put into the export query; the router is mounted under /admin with requireAdmin.', 'routes/admin/export.js', 'sql-admin'),
  q('q-sql-nearmiss-cmd', 'sql-injection', 'SQL injection: argv reaches client.query()', 'A developer script builds a DELETE statement from its command-line argument to clean the local database.', 'scripts/dev/cleanup-db.js', 'sql-test', 'near-miss'),
  // Command injection
  q('q-cmd-ping-1', 'command-injection', 'OS command injection: req.body.target reaches exec()', "The target address is appended to 'traceroute ' and the string is run through a shell with exec.", 'lib/net/trace.js', 'cmd-ping'),
  q('q-cmd-ping-2', 'command-injection', 'OS command injection: req.query.domain reaches execSync()', "The domain is concatenated into 'nslookup ' + domain and run with execSync.", 'routes/tools/dns.js', 'cmd-ping'),
  q('q-cmd-dev-1', 'command-injection', 'OS command injection: process.argv[3] reaches exec()', 'A local helper script builds a docker command from its arguments to start the development stack.', 'scripts/dev/start-stack.js', 'cmd-devscript'),
  q('q-cmd-allow-1', 'command-injection', 'OS command injection: req.query.codec reaches exec()', 'The codec chosen by the user is placed in an ffmpeg command line, after a check against the supported codecs list.', 'lib/media/transcode.js', 'cmd-allowlist'),
  q('q-cmd-git-1', 'command-injection', 'OS command injection: event.branch reaches execSync()', 'The branch from the CI webhook event is used in a git pull command run in a shell.', 'lib/ci/checkout.js', 'cmd-git'),
  q('q-cmd-git-2', 'command-injection', 'OS command injection: body.tag reaches exec()', "A release tag from the repository hook payload is interpolated into 'git tag -v ' and executed.", 'lib/deploy/verify-tag.js', 'cmd-git'),
  q('q-cmd-nearmiss-path', 'command-injection', 'OS command injection: req.params.name reaches exec()', "An uploaded file's name is put into a 'tar -xf ' command to unpack it in the uploads directory.", 'routes/uploads.js', 'cmd-ping', 'near-miss'),
  // Path traversal
  q('q-path-base-1', 'path-traversal', 'Path traversal: req.query.file reaches fs.createReadStream()', 'A download name is joined to the attachments folder; the attachments router passes names through sanitizeFilename first.', 'routes/attachments.js', 'path-basename'),
  q('q-path-test-1', 'path-traversal', 'Path traversal: fixture reaches fs.readFile()', 'A snapshot file is read by name in a helper of the unit tests.', 'test/helpers/snapshots.js', 'path-test'),
  q('q-path-zip-1', 'path-traversal', 'Path traversal: header.name reaches fs.writeFile()', 'Files of an uploaded tar archive are written using the names stored in the archive headers.', 'lib/archive/untar.js', 'path-zip'),
  q('q-path-zip-2', 'path-traversal', 'Path traversal: file.path reaches mkdirp()', 'When a backup archive is restored, each member path is created below the restore directory as stored.', 'lib/backup/restore.js', 'path-zip'),
  q('q-path-static-1', 'path-traversal', 'Path traversal: req.url reaches send()', 'The URL path is served with send() from the assets directory configured as its root.', 'routes/assets.js', 'path-static'),
  q('q-path-nearmiss-sql', 'path-traversal', 'Path traversal: req.query.name reaches fs.readFile()', 'A template name is joined to the templates directory in GET /admin/reports/template; the router passes every name through sanitizeFilename.', 'routes/admin/templates.js', 'path-basename', 'near-miss'),
  // XSS
  q('q-xss-escape-1', 'xss', 'Cross-site scripting: req.query.name reaches res.render()', 'The name parameter is passed to the greeting template and output with <%= name %>.', 'views/hello.ejs', 'xss-escape'),
  q('q-xss-admin-1', 'xss', 'Cross-site scripting: comment.text reaches innerHTML', 'Stored comments are inserted into the moderation dashboard with innerHTML.', 'public/admin/moderation.js', 'xss-admin'),
  q('q-xss-admin-2', 'xss', 'Cross-site scripting: ticket.description reaches insertAdjacentHTML()', 'Support tickets saved by customers are shown to staff by inserting their description as HTML.', 'public/staff/tickets.js', 'xss-admin'),
  q('q-xss-json-1', 'xss', 'Cross-site scripting: req.body.label reaches res.send()', 'The label is returned in the JSON response of the tagging API.', 'routes/api/tags.js', 'xss-json'),
  q('q-xss-test-1', 'xss', 'Cross-site scripting: markup reaches document.write()', 'The browser test page writes the component markup under test with document.write.', 'test/browser/render-page.js', 'xss-test'),
  q('q-xss-nearmiss-eval', 'xss', 'Cross-site scripting: review.text reaches innerHTML', 'Stored product reviews are inserted with innerHTML on the vendor dashboard, next to a score the page computes with eval.', 'public/vendor/reviews.js', 'xss-admin', 'near-miss'),
  // SSRF
  q('q-ssrf-allow-1', 'ssrf', 'Server-side request forgery: subscription.callbackUrl reaches got()', 'Callback URLs saved by integrators are called on each notification.', 'lib/notifications/callbacks.js', 'ssrf-allowlist'),
  q('q-ssrf-proxy-1', 'ssrf', 'Server-side request forgery: req.query.src reaches http.get()', 'The thumbnail service downloads whatever address the src parameter names.', 'routes/thumbnail.js', 'ssrf-proxy'),
  q('q-ssrf-proxy-2', 'ssrf', 'Server-side request forgery: req.body.feed reaches fetch()', 'The RSS preview endpoint fetches the feed URL sent by the client and returns its content.', 'routes/feeds/preview.js', 'ssrf-proxy'),
  q('q-ssrf-config-1', 'ssrf', 'Server-side request forgery: config.upstream reaches request()', 'A nightly job calls the upstream URL loaded from the operators configuration service.', 'jobs/nightly-export.js', 'ssrf-config'),
  q('q-ssrf-nearmiss-redirect', 'ssrf', 'Server-side request forgery: req.query.url reaches axios.get()', 'The link preview reads the page at the URL a user pasted to show its title.', 'routes/link-preview.js', 'ssrf-proxy', 'near-miss'),
  // Code injection
  q('q-eval-calc-1', 'code-injection', 'Code injection: req.query.formula reaches eval()', 'The spreadsheet endpoint computes the formula from the request with eval.', 'routes/sheets.js', 'eval-calc'),
  q('q-eval-calc-2', 'code-injection', 'Code injection: req.body.rule reaches new Function()', 'A pricing rule typed by the user is turned into a function with new Function and called.', 'routes/pricing.js', 'eval-calc'),
  q('q-eval-build-1', 'code-injection', 'Code injection: tpl reaches new Function()', 'Email templates in the repository are compiled to functions when the bundle is built.', 'lib/email/compile-templates.js', 'eval-build'),
  q('q-eval-test-1', 'code-injection', 'Code injection: example reaches vm.runInThisContext()', 'README examples are executed in the continuous integration checks.', 'test/docs/readme-examples.test.js', 'eval-test'),
  q('q-eval-nearmiss-proto', 'code-injection', 'Code injection: req.body.settings reaches vm.runInNewContext()', 'Client-sent settings are evaluated in a vm context to merge them into the account.', 'routes/settings-eval.js', 'eval-calc', 'near-miss'),
  // Open redirect
  q('q-redir-rel-1', 'open-redirect', 'Open redirect: req.query.returnTo reaches res.redirect()', 'After sign-out the user is sent to the returnTo parameter.', 'routes/auth/logout.js', 'redirect-relative'),
  q('q-redir-oauth-1', 'open-redirect', 'Open redirect: params.redirect_uri reaches res.redirect()', 'The authorisation endpoint sends the code to the redirect_uri supplied in the request.', 'routes/oauth/code.js', 'redirect-oauth'),
  q('q-redir-nearmiss-ssrf', 'open-redirect', 'Open redirect: req.query.url reaches res.redirect()', 'The link tracker redirects to any URL given in the query string after counting the click.', 'routes/track.js', 'redirect-oauth', 'near-miss'),
  // Prototype pollution
  q('q-proto-merge-1', 'prototype-pollution', 'Prototype pollution: req.body.profile reaches _.merge()', 'The profile update merges the submitted object into the stored profile with lodash merge.', 'routes/profile.js', 'proto-merge'),
  q('q-proto-merge-2', 'prototype-pollution', 'Prototype pollution: JSON.parse(body) reaches extend()', 'Imported dashboards are recursively copied into the defaults object key by key.', 'lib/dashboards/import.js', 'proto-merge'),
  q('q-proto-strict-1', 'prototype-pollution', 'Prototype pollution: req.body reaches assignDeep()', 'Notification preferences are deep-assigned onto the account after the body passes the strict zod schema.', 'routes/notifications.js', 'proto-strict'),
  // NoSQL injection
  q('q-nosql-login-1', 'nosql-injection', 'NoSQL injection: req.body.token reaches Session.findOne()', 'The reset handler looks up the token object from the body in the sessions collection.', 'routes/auth/reset.js', 'nosql-login'),
  q('q-nosql-login-2', 'nosql-injection', 'NoSQL injection: req.body.pin reaches Account.findOne()', 'The PIN check queries the accounts collection with the pin and user id as sent.', 'routes/auth/pin.js', 'nosql-login'),
  q('q-nosql-san-1', 'nosql-injection', 'NoSQL injection: req.query.where reaches Order.find()', 'A query object from the URL filters the orders collection; mongo-sanitize middleware is mounted on the app.', 'routes/orders.js', 'nosql-sanitize'),
  q('q-nosql-nearmiss-redirect', 'nosql-injection', 'NoSQL injection: req.body.username reaches Customer.findOne()', 'The sign-in form of POST /auth/login looks the customer up with the username and secret exactly as posted.', 'routes/auth/login.js', 'nosql-login', 'near-miss'),
  // Deserialisation
  q('q-deser-yaml-1', 'deserialization', 'Unsafe deserialisation: file.contents reaches yaml.load()', 'Workflow definitions uploaded by users are read with yaml.load and the default schema.', 'lib/workflows/import.js', 'deser-yaml'),
  q('q-deser-cookie-1', 'deserialization', 'Unsafe deserialisation: req.cookies.prefs reaches deserialize()', 'The preferences cookie is deserialised on each request after its signature is checked.', 'middleware/prefs.js', 'deser-cookie'),
  q('q-deser-nearmiss-secret', 'deserialization', 'Unsafe deserialisation: req.body.state reaches unserialize()', 'The wizard state posted by the browser is unserialised to resume the form.', 'routes/wizard.js', 'deser-yaml', 'near-miss'),
  // Secrets
  q('q-secret-example-1', 'hardcoded-secret', 'Hard-coded credential: token literal in source', 'A token-looking string is set as the default in the sample settings file shipped for new installs.', 'config/settings.sample.js', 'secret-example'),
  q('q-secret-live-1', 'hardcoded-secret', 'Hard-coded credential: AWS secret access key literal', 'A production AWS secret access key is passed to the S3 client in the upload service.', 'lib/storage/s3.js', 'secret-live'),
  q('q-secret-live-2', 'hardcoded-secret', 'Hard-coded credential: SendGrid API key literal', 'The mailer is constructed with a real SendGrid key written into the source.', 'lib/mail/sendgrid.js', 'secret-live'),
  q('q-secret-nearmiss-test', 'hardcoded-secret', 'Hard-coded credential: password literal in source', 'The example .env template lists DB_PASSWORD=changeme for local setups.', 'config/env.example.js', 'secret-example', 'near-miss'),
  // Weak hash
  q('q-md5-etag-1', 'weak-hash', 'Weak hash: sha1 used in createHash()', 'A sha1 of the file contents names the cached thumbnail on disk.', 'lib/thumbnails/cache-key.js', 'md5-etag'),
  q('q-md5-pw-1', 'weak-hash', 'Weak hash: sha1 used in createHash()', 'User passwords are stored as unsalted sha1 digests at sign-up.', 'lib/auth/signup.js', 'md5-password'),
  q('q-md5-pw-2', 'weak-hash', 'Weak hash: md5 used in createHash()', 'The PIN of each customer is hashed with md5 and saved in the database.', 'lib/auth/pin-store.js', 'md5-password'),
  q('q-md5-nearmiss-secret', 'weak-hash', 'Weak hash: md5 used in createHash()', 'An md5 of the request body is compared with the Content-MD5 header to detect truncated uploads.', 'lib/http/integrity.js', 'md5-etag', 'near-miss'),
  // XXE
  q('q-xxe-upload-1', 'xxe', 'XML external entities: req.body reaches DOMParser with entities', 'SAML responses posted by identity providers are parsed with entity expansion enabled.', 'lib/sso/saml.js', 'xxe-upload'),
  q('q-xxe-upload-2', 'xxe', 'XML external entities: upload reaches parseXmlString()', 'Customers upload product feeds in XML which are parsed with noent: true.', 'lib/import/feeds.js', 'xxe-upload'),
  q('q-xxe-own-1', 'xxe', 'XML external entities: rss reaches parseString()', 'The RSS builder re-parses the XML document it generated to validate it.', 'lib/seo/rss.js', 'xxe-own'),
  // More near-misses: shared situation words across classes.
  q('q-nearmiss-test-path', 'command-injection', 'OS command injection: fixtureName reaches execSync()', 'A helper of the unit tests runs a shell command to unpack a named fixture archive.', 'test/helpers/unpack.js', 'cmd-devscript', 'near-miss'),
  q('q-nearmiss-admin-xss', 'sql-injection', 'SQL injection: req.query.status reaches pool.query()', 'The status filter on the admin moderation page is put into the moderation query, under the /admin router with requireAdmin.', 'routes/admin/moderation.js', 'sql-admin', 'near-miss'),
  q('q-nearmiss-webhook-cmd', 'ssrf', 'Server-side request forgery: payload.repository.url reaches fetch()', 'On a push webhook the server downloads the repository archive from the URL in the payload.', 'lib/deploy/download.js', 'ssrf-proxy', 'near-miss'),
  q('q-nearmiss-schema-proto', 'sql-injection', 'SQL injection: req.body.filter reaches db.query()', 'The filter is parsed with a strict zod schema and then concatenated into the WHERE clause.', 'db/search.js', 'sql-schema', 'near-miss'),
  q('q-nearmiss-basename-cmd', 'command-injection', 'OS command injection: req.body.name reaches exec()', 'A report name is used in a zip command line; the name was first checked against the allowed report names.', 'lib/reports/archive.js', 'cmd-allowlist', 'near-miss'),
];

// More decisions of the same classes in other situations, as a team accumulates them: without them a class
// holds 2-4 decisions and any ranker that gets the class right has recall@5 of 1.
DECISIONS.push(
  d('sql-readonly', 'sql-injection', 'SQL injection: req.query.q reaches replica.query()', 'The search text is concatenated into a LIKE clause run on the analytics replica.', 'db/analytics.js', 'approve', 'even read-only, the replica holds customer data; use a bound parameter'),
  d('sql-migration', 'sql-injection', 'SQL injection: name reaches db.schema.raw()', 'A migration builds an ALTER TABLE statement from the list of tenant schemas.', 'migrations/2024-add-index.js', 'reject', 'migration run once by operators with names from our own schema list'),
  d('sql-stored', 'sql-injection', 'SQL injection: row.filter reaches db.query()', 'A saved filter stored by a user earlier is concatenated into a report query later (second-order).', 'jobs/saved-reports.js', 'approve', 'second-order injection: stored filters come from users; parameterise'),
  d('cmd-imagemagick-fixed', 'command-injection', 'OS command injection: tmpPath reaches exec()', 'A temporary file path generated by the server is put into a convert command line.', 'lib/media/thumbnail.js', 'reject', 'the path is generated by tmp.file() on the server; no user part'),
  d('cmd-cron', 'command-injection', 'OS command injection: job.command reaches exec()', 'Scheduled jobs defined in the admin console run their command string in a shell.', 'jobs/scheduler.js', 'approve', 'admins are not meant to get a shell on the host; restrict to a fixed set of jobs'),
  d('cmd-pdf', 'command-injection', 'OS command injection: req.body.title reaches exec()', 'The document title is passed on the wkhtmltopdf command line as --title.', 'lib/pdf/render.js', 'approve', 'quotes in the title break out of the argument; use execFile'),
  d('path-config', 'path-traversal', 'Path traversal: process.env.LOG_DIR reaches fs.appendFile()', 'Log files are written under a directory taken from the environment.', 'lib/logging/file.js', 'reject', 'environment set by operators at deploy time, not by users'),
  d('path-avatar', 'path-traversal', 'Path traversal: req.user.id reaches path.join()', 'The avatar file is located by the id of the signed-in user.', 'routes/avatar.js', 'reject', 'the id comes from the session and is numeric'),
  d('path-download-real', 'path-traversal', 'Path traversal: req.query.path reaches res.download()', 'The export download joins the requested path to the exports directory and sends it.', 'routes/exports.js', 'approve', 'no normalisation at all; ../../etc/passwd works; resolve and check the prefix'),
  d('xss-markdown', 'xss', 'Cross-site scripting: post.markdown reaches marked()', 'Markdown written by users is converted to HTML and rendered on public pages.', 'views/post.js', 'approve', 'marked does not sanitise; raw HTML in posts runs scripts; sanitise the output'),
  d('xss-react', 'xss', 'Cross-site scripting: props.bio reaches JSX text', 'The biography is rendered as a text child in a React component.', 'web/components/Bio.jsx', 'reject', 'React escapes text children; no dangerouslySetInnerHTML here'),
  d('xss-email', 'xss', 'Cross-site scripting: user.name reaches an HTML email', 'The user name is inserted into the HTML body of the welcome email.', 'lib/mail/welcome.js', 'reject', 'mail clients do not run scripts; the name is escaped by the mail template anyway'),
  d('ssrf-metadata', 'ssrf', 'Server-side request forgery: req.body.avatarUrl reaches fetch()', 'The profile importer downloads an avatar from the URL in the form.', 'routes/profile-import.js', 'approve', 'reaches the cloud metadata endpoint at 169.254.169.254; block link-local and private addresses'),
  d('ssrf-fixed-host', 'ssrf', 'Server-side request forgery: req.query.sku reaches fetch()', 'A product code is appended to the path of the supplier API URL.', 'lib/supplier/client.js', 'reject', 'only the path changes; the host is fixed to the supplier API and the sku is URL-encoded'),
  d('ssrf-test', 'ssrf', 'Server-side request forgery: url reaches fetch()', 'An end-to-end test fetches the URL of the local test server.', 'test/e2e/health.test.js', 'reject', 'test code against localhost'),
  d('eval-json', 'code-injection', 'Code injection: body reaches eval()', "Legacy code parses a JSON response from the payment provider with eval('(' + body + ')').", 'lib/payments/legacy.js', 'approve', 'replace eval with JSON.parse; the provider response must not be trusted as code'),
  d('eval-plugin', 'code-injection', 'Code injection: pluginPath reaches require()', 'Plugins listed in the server configuration file are loaded with require.', 'lib/plugins/load.js', 'reject', 'plugins are chosen by the operator in the config file; loading code is the point'),
  d('redirect-allowlist', 'open-redirect', 'Open redirect: req.query.target reaches res.redirect()', 'The partner link redirects to a target URL after looking up its host.', 'routes/partners.js', 'reject', 'the host must be one of the partner domains in the table; others get a 400'),
  d('redirect-header', 'open-redirect', 'Open redirect: req.headers.referer reaches res.redirect()', 'After saving, the form redirects back to the Referer header.', 'routes/forms.js', 'approve', 'a crafted link can set the referrer to an external site; redirect to a fixed page'),
  d('proto-config', 'prototype-pollution', 'Prototype pollution: fileConfig reaches merge()', 'The YAML configuration file is merged into the defaults at start.', 'lib/config/load.js', 'reject', 'the configuration file is written by operators, not users'),
  d('proto-query', 'prototype-pollution', 'Prototype pollution: qs.parse(req.url) reaches set()', 'Nested query string keys are set on the filter object path by path.', 'routes/filters.js', 'approve', 'a[__proto__][admin]=1 reaches Object.prototype; reject those keys'),
  d('nosql-where', 'nosql-injection', 'NoSQL injection: req.query.expr reaches $where', 'A JavaScript expression from the query string is passed to a $where clause.', 'routes/analytics.js', 'approve', '$where runs JavaScript on the database server; remove it'),
  d('nosql-cast', 'nosql-injection', 'NoSQL injection: req.params.id reaches Item.findById()', 'The id path parameter is passed to findById.', 'routes/item-detail.js', 'reject', 'findById casts to ObjectId; an object cannot get through'),
  d('deser-json', 'deserialization', 'Unsafe deserialisation: req.body reaches JSON.parse()', 'The request body is parsed with JSON.parse before validation.', 'routes/import-json.js', 'reject', 'JSON.parse creates plain data only; not a deserialisation issue'),
  d('deser-pickle-worker', 'deserialization', 'Unsafe deserialisation: message.payload reaches node-serialize unserialize()', 'Jobs read from the shared queue are unserialised with node-serialize.', 'workers/queue-consumer.js', 'approve', 'other services can write to the queue; node-serialize executes functions; switch to JSON'),
  d('secret-test', 'hardcoded-secret', 'Hard-coded credential: password literal in source', 'A password literal is used to log in to the throwaway database container in tests.', 'test/integration/db.test.js', 'reject', 'throwaway credentials for the test container'),
  d('secret-jwt', 'hardcoded-secret', 'Hard-coded credential: JWT signing secret literal', "Tokens are signed with the literal secret 'supersecret' when JWT_SECRET is not set.", 'lib/auth/jwt.js', 'approve', 'the fallback secret lets anyone forge tokens; fail at start without JWT_SECRET'),
  d('hash-git', 'weak-hash', 'Weak hash: sha1 used in createHash()', 'Object ids are computed as sha1 of the content to match git object names.', 'lib/git/objects.js', 'reject', 'sha1 is what git uses for object names; compatibility, not security'),
  d('hash-token', 'weak-hash', 'Weak hash: md5 used in createHash()', 'Password reset tokens are made from md5 of the email and the current time.', 'lib/auth/reset-token.js', 'approve', 'predictable tokens; use crypto.randomBytes(32)'),
  d('xxe-soap', 'xxe', 'XML external entities: req.body reaches xml2js with DTD', 'The SOAP endpoint parses request envelopes with DTD processing enabled.', 'routes/soap.js', 'approve', 'partners post these envelopes; disable DTDs'),
  d('xxe-config', 'xxe', 'XML external entities: fs.readFileSync(config) reaches parseXml()', 'The server reads its XML configuration file at start.', 'lib/config/xml.js', 'reject', 'configuration file from the deployment, not user input'),
);

// Reworded: the answer's situation said without its distinctive words.
QUERIES.push(
  q('r-sql-schema', 'sql-injection', 'SQL injection: req.params.userId reaches db.query()', 'The user id is glued into the SQL text; before the handler, a declarative validator on the route only lets a well-formed identifier through.', 'db/profile.js', 'sql-schema', 'reworded'),
  q('r-sql-test', 'sql-injection', 'SQL injection: label reaches db.query()', 'String-built SQL in code that only prepares data for the automated checks; it never ships.', 'spec/support/prepare.js', 'sql-test', 'reworded'),
  q('r-sql-admin', 'sql-injection', 'SQL injection: req.query.range reaches db.query()', 'A range picked in the back-office statistics page goes into the query; only staff with elevated rights on the internal network can open that page.', 'routes/backoffice/stats.js', 'sql-admin', 'reworded'),
  q('r-cmd-allow', 'command-injection', 'OS command injection: req.query.size reaches exec()', 'The requested size goes into the resize command line, but only after it is compared with a fixed set of permitted values.', 'lib/media/resize.js', 'cmd-allowlist', 'reworded'),
  q('r-cmd-dev', 'command-injection', 'OS command injection: args[0] reaches execSync()', 'An engineer runs this maintenance tool by hand on their own machine; no server code calls it.', 'tools/local/bootstrap.js', 'cmd-devscript', 'reworded'),
  q('r-path-zip', 'path-traversal', 'Path traversal: member.name reaches fs.writeFileSync()', 'Unpacking a compressed bundle sent by a user writes each member where its stored name points, dot-dot segments included.', 'lib/bundles/unpack.js', 'path-zip', 'reworded'),
  q('r-path-static', 'path-traversal', 'Path traversal: req.path reaches serveFile()', 'The file server is told which folder is its base and refuses anything that resolves outside it.', 'routes/public.js', 'path-static', 'reworded'),
  q('r-xss-escape', 'xss', 'Cross-site scripting: req.query.city reaches res.render()', 'The city is shown on the weather page through the view engine, whose default output tag turns < and > into entities.', 'views/weather.ejs', 'xss-escape', 'reworded'),
  q('r-xss-json', 'xss', 'Cross-site scripting: req.query.q reaches res.json()', 'The query is echoed in a machine-readable API response that browsers will not interpret as a page.', 'routes/api/suggest.js', 'xss-json', 'reworded'),
  q('r-ssrf-allow', 'ssrf', 'Server-side request forgery: endpoint.url reaches fetch()', 'Addresses that customers save for event notifications are called later; at save time only approved destinations are accepted and internal networks are refused.', 'lib/events/notify.js', 'ssrf-allowlist', 'reworded'),
  q('r-ssrf-config', 'ssrf', 'Server-side request forgery: opts.baseUrl reaches fetch()', 'A background task calls an address that only the people running the platform can set.', 'jobs/reconcile.js', 'ssrf-config', 'reworded'),
  q('r-redirect-rel', 'open-redirect', 'Open redirect: req.query.continue reaches res.redirect()', 'The continue target must be a path on this site: protocol-relative and absolute addresses are refused before the redirect.', 'routes/auth/session.js', 'redirect-relative', 'reworded'),
  q('r-proto-strict', 'prototype-pollution', 'Prototype pollution: req.body reaches deepAssign()', 'The payload is deep-assigned only after a schema that refuses any property it does not list.', 'routes/preferences.js', 'proto-strict', 'reworded'),
  q('r-nosql-sanitize', 'nosql-injection', 'NoSQL injection: req.body.query reaches Product.find()', 'A query object from the client reaches the collection, but an app-wide middleware removes operator keys beginning with a dollar sign.', 'routes/catalog.js', 'nosql-sanitize', 'reworded'),
  q('r-deser-cookie', 'deserialization', 'Unsafe deserialisation: req.cookies.cart reaches unserialize()', 'The cart cookie is turned back into objects only after its keyed signature, which only the server can compute, is verified.', 'middleware/cart.js', 'deser-cookie', 'reworded'),
  q('r-secret-example', 'hardcoded-secret', 'Hard-coded credential: key literal in source', 'A dummy key in the template that new installations copy and fill in with their own values.', 'config/template.js', 'secret-example', 'reworded'),
  q('r-md5-etag', 'weak-hash', 'Weak hash: md5 used in createHash()', 'The digest only lets browsers and proxies tell whether a cached copy is still current.', 'lib/http/conditional.js', 'md5-etag', 'reworded'),
  q('r-xxe-own', 'xxe', 'XML external entities: doc reaches parseString()', 'The parser reads a document this same service produced a moment earlier, and it does not fetch external references.', 'lib/feeds/validate.js', 'xxe-own', 'reworded'),
);

// Other engine: the same situations as the Claude engine words a finding (rule id `claude-cwe-…`, a free-text
// title, an explanation in prose that names what it read) against decisions recorded on the built-in engine's
// templated findings, and the reverse (decisions made on Claude findings, queried by a built-in finding).
// Written as the engines' outputs read (test/claude/brain.ts, activities/engines/claude/prompts.ts); added
// after the first hybrid measurement, before any further change to the ranking.
const c = (id: string, cwe: string, title: string, explanation: string, file: string): DescribedFinding => ({
  id,
  fingerprint: `fp-${id}`,
  ruleId: `claude-${cwe.toLowerCase()}`,
  cwe,
  title,
  explanation,
  location: { file, startLine: 1, endLine: 1 },
});
const oq = (id: string, cwe: string, title: string, explanation: string, file: string, answer: string): LabelledQuery => ({
  id,
  finding: c(id, cwe, title, explanation, file),
  answer,
  kind: 'other-engine',
});
const od = (id: string, cwe: string, title: string, explanation: string, file: string, decision: 'approve' | 'reject', comment: string): LabelledDecision => ({
  id,
  finding: c(id, cwe, title, explanation, file),
  decision,
  comment,
});

DECISIONS.push(
  od('c-sql-tenant', 'CWE-89', 'Tenant schema name interpolated into search_path', 'setTenant() builds `SET search_path TO ${tenant}` from the subdomain of the incoming request, so a crafted Host header could inject SQL before any query of the request runs.', 'db/tenant.js', 'approve', 'confirmed: Host header is attacker controlled; quote the identifier with pg-format %I and check it against the tenants table'),
  od('c-cmd-lint', 'CWE-78', 'Shell command built from file list in pre-commit hook', 'The hook concatenates staged file names into a string passed to execSync to run eslint; a file name containing shell metacharacters would be executed.', 'tools/hooks/pre-commit.js', 'reject', 'git hook on developer machines; the file names are the developer\'s own'),
  od('c-path-locale', 'CWE-22', 'Locale parameter used to build translation file path', 'loadMessages(locale) joins the `lang` cookie value to the locales directory and reads the JSON file; a value such as ../../config/secrets would read other files.', 'lib/i18n/load.js', 'approve', 'real: cookie value goes straight into the path; accept only the locales we ship'),
  od('c-xss-pdf', 'CWE-79', 'Invoice notes rendered unescaped into PDF HTML template', 'Customer-supplied invoice notes are inserted with triple braces into the Handlebars template that puppeteer renders to PDF on the server.', 'lib/invoices/pdf.js', 'approve', 'server-side rendering in headless Chrome with network access; scripts in notes run there. Escape with double braces'),
  od('c-ssrf-oembed', 'CWE-918', 'oEmbed discovery follows attacker-supplied URL', 'When a post contains a link, the server fetches the page to discover its oEmbed endpoint and then fetches that endpoint too, without restricting hosts.', 'lib/embeds/oembed.js', 'approve', 'two-hop SSRF: the discovered endpoint can point at internal services; resolve and block private ranges on every hop'),
  od('c-redirect-lang', 'CWE-601', 'Language switcher redirects to the Referer header', 'After setting the language cookie, switchLanguage() redirects to req.get("Referer") without checking its origin.', 'routes/lang.js', 'reject', 'duplicate of redirect-header, fixed in the same change: both now redirect to a fixed page'),
);

QUERIES.push(
  // Claude-worded findings, answered by decisions on built-in findings.
  oq('o-sql-schema', 'CWE-89', 'User lookup builds SQL with string concatenation', 'getUserById() appends `req.params.id` to a SELECT statement instead of using a placeholder. The route is declared with `requireSchema(userIdSchema)`, so whether this is exploitable depends on that schema.', 'db/users.js', 'sql-schema'),
  oq('o-sql-orm', 'CWE-89', 'Unvalidated sort column passed to knex.raw in listing query', 'The `sort` field of the request body is interpolated into `ORDER BY ${sort}` through knex.raw; bindings are not used and no allowlist of columns exists, so an attacker can append arbitrary SQL.', 'models/invoice.js', 'sql-orm'),
  oq('o-sql-stored', 'CWE-89', 'Saved search filter later concatenated into report SQL', 'Users save filter expressions in their profile; the nightly report job reads them back and splices them into a WHERE clause, a second-order injection since the value was attacker supplied when stored.', 'jobs/digest.js', 'sql-stored'),
  oq('o-cmd-ping', 'CWE-78', 'Network diagnostics endpoint passes host to a shell', 'The `host` query parameter is concatenated into a `ping` command string and executed with child_process.exec, which spawns /bin/sh; `;` or `$()` in the host runs arbitrary commands.', 'routes/diagnostics.js', 'cmd-ping'),
  oq('o-cmd-git', 'CWE-78', 'Branch name from GitHub webhook executed in shell', 'handlePush() takes `payload.ref` from the webhook body and runs `git fetch origin ${ref}` through exec. Anyone who can reach the webhook URL (or push a branch with a crafted name) controls the command.', 'lib/ci/webhook.js', 'cmd-git'),
  oq('o-cmd-pdf', 'CWE-78', 'Document title injected into wkhtmltopdf invocation', 'The title from the export form is quoted with double quotes inside a shell command line; a title containing a double quote closes the argument and adds options or commands.', 'lib/export/pdf.js', 'cmd-pdf'),
  oq('o-path-zip', 'CWE-22', 'Archive extraction trusts entry names (zip slip)', 'extractUpload() writes every entry of the uploaded archive to path.join(dest, entry.fileName) without checking the resolved path, so an entry named ../../app/server.js overwrites application code.', 'lib/upload/extract.js', 'path-zip'),
  oq('o-path-download', 'CWE-22', 'Export download reads arbitrary files via path parameter', 'The `path` query parameter is joined to the exports folder and passed to res.download with no normalisation or prefix check; ../ sequences reach any file the process can read.', 'routes/reports/download.js', 'path-download-real'),
  oq('o-path-basename', 'CWE-22', 'File name from URL joined to uploads directory', 'sendUpload() joins req.params.name to UPLOAD_DIR and calls res.sendFile. The upload router applies a sanitizeFilename middleware to the parameter first, which may already strip directory components.', 'routes/uploads/get.js', 'path-basename'),
  oq('o-xss-admin', 'CWE-79', 'Stored comment HTML injected into admin panel', 'The moderation queue renders each pending comment with `el.innerHTML = comment.body`. Comments are written by any registered user and viewed by moderators, giving stored XSS in a privileged session.', 'public/js/moderation.js', 'xss-admin'),
  oq('o-xss-markdown', 'CWE-79', 'Rendered Markdown inserted without sanitisation', 'Post bodies are converted with marked() and the resulting HTML is sent to every visitor; marked passes raw HTML through, so a post containing <img onerror> executes script for readers.', 'routes/posts/show.js', 'xss-markdown'),
  oq('o-xss-escape', 'CWE-79', 'Search term reflected in results page', 'The `q` parameter is passed to the EJS view and printed in the heading. It is output with the escaping tag <%= %>, so this is likely safe unless the template uses <%- %> elsewhere.', 'views/results.ejs', 'xss-escape'),
  oq('o-ssrf-proxy', 'CWE-918', 'Image proxy fetches arbitrary URLs', 'GET /proxy?url= downloads any URL server-side and streams the body back to the caller, so attackers can read internal services and the cloud metadata endpoint.', 'routes/image-proxy.js', 'ssrf-proxy'),
  oq('o-ssrf-metadata', 'CWE-918', 'Avatar import can reach the instance metadata service', 'importAvatar() fetches the `avatarUrl` submitted in the profile form; nothing blocks 169.254.169.254 or private address ranges, exposing cloud credentials.', 'lib/profile/avatar.js', 'ssrf-metadata'),
  oq('o-ssrf-allowlist', 'CWE-918', 'Customer webhook URLs are requested by the server', 'deliverEvent() POSTs to the URL stored in each webhook subscription. The URL is customer-controlled; the registration code should be checked for host restrictions.', 'lib/webhooks/send.js', 'ssrf-allowlist'),
  oq('o-eval-calc', 'CWE-94', 'User expression evaluated with eval in calculator API', '`eval(req.body.expression)` executes whatever JavaScript the client sends with the server\'s privileges; this is remote code execution.', 'routes/calculate.js', 'eval-calc'),
  oq('o-redirect-oauth', 'CWE-601', 'OAuth authorize endpoint redirects to unregistered redirect_uri', 'The authorization handler redirects with the code to `req.query.redirect_uri` without comparing it to the client\'s registered URIs, so an attacker can steal authorization codes.', 'routes/oauth/authorize.js', 'redirect-oauth'),
  oq('o-redirect-relative', 'CWE-601', 'Post-login redirect uses the next parameter', 'After authentication the user is redirected to `req.query.next`. The code checks that next starts with "/" and not "//", which should limit it to same-site paths.', 'routes/auth/callback.js', 'redirect-relative'),
  oq('o-proto-merge', 'CWE-1321', 'Recursive merge of request body allows __proto__ pollution', 'updatePreferences() deep-merges req.body into the preferences object with a hand-written merge that copies every key, including __proto__, polluting Object.prototype for the whole process.', 'lib/prefs/update.js', 'proto-merge'),
  oq('o-nosql-login', 'CWE-943', 'Login query accepts MongoDB operators in password', 'The login handler passes req.body.username and req.body.password directly to User.findOne; sending {"$ne": ""} as the password matches any user and bypasses authentication.', 'routes/session.js', 'nosql-login'),
  oq('o-deser-yaml', 'CWE-502', 'Uploaded YAML parsed with the unsafe loader', 'Imported project files are parsed with js-yaml load() using the default (full) schema, which can construct functions and arbitrary types from attacker-supplied documents.', 'lib/projects/import.js', 'deser-yaml'),
  oq('o-secret-live', 'CWE-798', 'Production payment API key committed to the repository', 'A live Stripe secret key (sk_live_…) is hard-coded in the billing module and passed to the Stripe client; anyone with read access to the code can issue refunds and charges.', 'lib/payments/client.js', 'secret-live'),
  oq('o-secret-jwt', 'CWE-798', 'JWT secret falls back to a hard-coded default', 'When JWT_SECRET is unset, tokens are signed with the literal "supersecret", which is public in the source; anyone can forge session tokens for any user.', 'lib/auth/token.js', 'secret-jwt'),
  oq('o-hash-password', 'CWE-328', 'Passwords stored as unsalted MD5', 'registerUser() stores md5(password) in the users table; MD5 is fast and unsalted, so leaked hashes are cracked almost instantly.', 'lib/users/register.js', 'md5-password'),
  oq('o-hash-token', 'CWE-328', 'Password reset token derived from MD5 of email and time', 'The reset token is md5(email + Date.now()), which an attacker who knows the email can brute-force within the timestamp window.', 'lib/auth/forgot.js', 'hash-token'),
  oq('o-xxe-upload', 'CWE-611', 'XML upload parsed with external entity expansion', 'Invoice uploads are parsed by libxmljs with `noent: true`, so a DOCTYPE declaring an external entity reads local files or makes requests from the server.', 'lib/billing/import-xml.js', 'xxe-upload'),
  oq('o-nearmiss-hash-etag', 'CWE-328', 'MD5 used to compute ETag values', 'The response caching middleware computes an md5 of each body to set ETag. MD5 is a broken hash, though here it is used for change detection rather than authentication.', 'lib/middleware/etag.js', 'md5-etag'),
  oq('o-nearmiss-admin-path', 'CWE-89', 'Admin report date range concatenated into SQL', 'The /admin/reports handler concatenates the `from` and `to` dates into the reporting query; the router is protected by requireAdmin, so only administrators can reach it.', 'routes/admin/reporting.js', 'sql-admin'),
  // Built-in findings answered by decisions recorded on Claude findings.
  q('b-sql-tenant', 'sql-injection', 'SQL injection: req.hostname reaches client.query()', 'The subdomain of the request host is put into a SET search_path statement before the tenant\'s queries run.', 'db/tenancy.js', 'c-sql-tenant', 'other-engine'),
  q('b-cmd-lint', 'command-injection', 'OS command injection: files reaches execSync()', 'Staged file names are joined into a prettier command line in the git pre-commit hook.', 'tools/hooks/format.js', 'c-cmd-lint', 'other-engine'),
  q('b-path-locale', 'path-traversal', 'Path traversal: req.cookies.lang reaches fs.readFileSync()', 'The language cookie is joined to the translations directory to load the messages file.', 'lib/i18n/messages.js', 'c-path-locale', 'other-engine'),
  q('b-xss-pdf', 'xss', 'Cross-site scripting: order.notes reaches page.setContent()', 'Order notes are placed unescaped in the HTML that the headless browser prints to a PDF receipt.', 'lib/receipts/render.js', 'c-xss-pdf', 'other-engine'),
  q('b-ssrf-oembed', 'ssrf', 'Server-side request forgery: link.href reaches fetch()', 'Links in chat messages are fetched by the server to build previews, then the preview endpoint the page names is fetched as well.', 'lib/chat/unfurl.js', 'c-ssrf-oembed', 'other-engine'),
);

// A team's history grows: more decisions per class (about 10), as a year of triage leaves them, so that recall@5
// measures telling situations apart within a class rather than finding the class (with 5 decisions a class,
// any ranker that gets the class right scores recall@5 of 1). Added after the measurement that showed that
// saturation; written as decisions, not against any query or ranker.
DECISIONS.push(
  d('sql-like-escape', 'sql-injection', 'SQL injection: req.query.term reaches db.query()', 'The search term is placed into a LIKE pattern of the product search query.', 'db/products.js', 'approve', 'string concatenation into LIKE; use a placeholder and escape % and _'),
  d('sql-tablename-enum', 'sql-injection', 'SQL injection: req.params.kind reaches db.query()', 'The kind path parameter selects which table the export reads from.', 'routes/export-table.js', 'reject', 'kind is mapped through a switch over three constants; the request value never reaches the SQL text'),
  d('sql-graphql', 'sql-injection', 'SQL injection: args.where reaches prisma.$queryRawUnsafe()', 'A GraphQL resolver builds a raw query from the where argument.', 'graphql/resolvers/orders.js', 'approve', 'queryRawUnsafe with user input; switch to $queryRaw tagged template'),
  d('sql-cli-report', 'sql-injection', 'SQL injection: options.since reaches db.query()', 'The monthly billing CLI interpolates the --since option into its query.', 'bin/billing-report.js', 'reject', 'internal CLI run by finance from a cron job; no network input'),
  d('sql-tagged', 'sql-injection', 'SQL injection: req.body.email reaches sql``', 'The email is interpolated into a sql tagged template of the postgres client.', 'db/newsletter.js', 'reject', 'the sql tagged template sends interpolations as bound parameters'),
  d('cmd-spawn-array', 'command-injection', 'OS command injection: req.query.file reaches spawn()', 'The requested file name is passed as an argument to spawn for the thumbnailer.', 'lib/media/thumbs.js', 'reject', 'spawn with an argument array and shell: false; no shell parses the value'),
  d('cmd-backup', 'command-injection', 'OS command injection: db.name reaches exec()', 'The nightly backup job puts each database name into a pg_dump command line.', 'jobs/backup.js', 'reject', 'database names come from our own infrastructure inventory, not from users'),
  d('cmd-archive-name', 'command-injection', 'OS command injection: req.body.archiveName reaches exec()', 'The export endpoint runs zip with the archive name chosen by the user.', 'routes/export-zip.js', 'approve', 'archive name is free text from the user and goes into a shell; use execFile and a generated name'),
  d('cmd-git-clone-url', 'command-injection', 'OS command injection: repo.url reaches execSync()', 'Imported repositories are cloned with git clone and the URL the user registered.', 'lib/import/clone.js', 'approve', 'URL in a shell string, and --upload-pack tricks too; execFile with -- before the URL'),
  d('path-tenant-dir', 'path-traversal', 'Path traversal: req.params.file reaches fs.readFile()', 'Invoice PDFs are read from the tenant folder by the file name in the URL.', 'routes/invoices-files.js', 'approve', 'file name with ../ reads other tenants\' invoices; resolve and check the prefix'),
  d('path-uuid-name', 'path-traversal', 'Path traversal: upload.id reaches path.join()', 'Stored uploads are located by the id saved in the database row.', 'lib/uploads/locate.js', 'reject', 'ids are UUIDs generated by the server when the upload is stored'),
  d('path-template-render', 'path-traversal', 'Path traversal: req.query.view reaches res.render()', 'The view parameter picks which template the help page renders.', 'routes/help.js', 'approve', 'res.render with a user path loads any template file and can read outside views; map names to templates'),
  d('path-cli-arg', 'path-traversal', 'Path traversal: argv.out reaches fs.writeFileSync()', 'The code generator writes its output to the path given on the command line.', 'bin/codegen.js', 'reject', 'developer CLI; writing where the user asks is its job'),
  d('path-symlink', 'path-traversal', 'Path traversal: entry reaches fs.readFile() via symlink', 'Theme folders uploaded by admins may contain symbolic links that are followed when files are served.', 'lib/themes/serve.js', 'approve', 'symlinks in uploaded themes point at /etc; reject links when unpacking'),
  d('xss-vue-vhtml', 'xss', 'Cross-site scripting: message.body reaches v-html', 'Chat messages are displayed with the v-html directive in the support widget.', 'web/components/ChatMessage.vue', 'approve', 'v-html renders user HTML; use text interpolation or sanitise'),
  d('xss-csp-nonce', 'xss', 'Cross-site scripting: req.query.ref reaches res.send()', 'The referral code is printed into the landing page HTML.', 'routes/landing.js', 'approve', 'real reflected XSS; the CSP does not cover inline event handlers; escape the value'),
  d('xss-svg-upload', 'xss', 'Cross-site scripting: upload served as image/svg+xml', 'User-uploaded SVG files are served from the main domain with their own content type.', 'routes/media.js', 'approve', 'SVG can carry script; serve uploads from a separate domain or as attachments'),
  d('xss-textcontent', 'xss', 'Cross-site scripting: data.name reaches element.textContent', 'The name from the API response is assigned to textContent of the header.', 'public/js/header.js', 'reject', 'textContent never parses HTML'),
  d('xss-handlebars', 'xss', 'Cross-site scripting: user.bio reaches {{bio}}', 'The profile template prints the bio with double braces.', 'views/profile.hbs', 'reject', 'Handlebars double braces escape; only triple braces would be a problem'),
  d('ssrf-pdf-render', 'ssrf', 'Server-side request forgery: req.body.html reaches puppeteer page.setContent()', 'User HTML is rendered to PDF by headless Chrome on the server, which loads any resources it references.', 'lib/pdf/html-to-pdf.js', 'approve', 'img and iframe tags make the renderer request internal URLs; block network requests in the page'),
  d('ssrf-dns-rebind', 'ssrf', 'Server-side request forgery: feed.url reaches fetch()', 'Feed URLs are checked against private ranges before fetching, by resolving the hostname first.', 'lib/feeds/fetch.js', 'approve', 'check then fetch resolves twice: DNS rebinding passes the check; pin the resolved address'),
  d('ssrf-s3-presign', 'ssrf', 'Server-side request forgery: key reaches s3.getSignedUrl()', 'A presigned URL for an object key is generated for the download.', 'lib/storage/presign.js', 'reject', 'not a request made by the server; the key only names an object in our bucket'),
  d('ssrf-redirect-follow', 'ssrf', 'Server-side request forgery: req.query.link reaches got() with redirects', 'The link checker validates the host of the URL and then follows redirects.', 'routes/link-check.js', 'approve', 'the first host is checked but redirects are followed to anywhere; validate every hop or disable redirects'),
  d('eval-settimeout-string', 'code-injection', 'Code injection: req.query.cb reaches setTimeout()', 'A callback name from the query is passed as a string to setTimeout.', 'public/js/jsonp.js', 'approve', 'string argument to setTimeout is eval; JSONP callback must match an identifier pattern'),
  d('eval-sandbox-vm2', 'code-injection', 'Code injection: rule.script reaches vm2 NodeVM.run()', 'Customer automation scripts run in a vm2 sandbox.', 'lib/automation/run.js', 'approve', 'vm2 is deprecated with known sandbox escapes; move to isolated-vm in a separate process'),
  d('eval-handlebars-compile', 'code-injection', 'Code injection: template.source reaches Handlebars.compile()', 'Email templates edited by tenant admins are compiled with Handlebars.', 'lib/mail/compile.js', 'reject', 'Handlebars templates are logic-less; compiling admin-edited templates is accepted, prototype access is disabled'),
  d('eval-require-dynamic', 'code-injection', 'Code injection: req.params.module reaches require()', 'The locale module is required by the name in the URL.', 'routes/locale.js', 'approve', 'require of a user path loads any JS file on disk; map to a fixed list'),
  d('redirect-login-hostcheck', 'open-redirect', 'Open redirect: req.query.return reaches res.redirect()', 'After logout the user is sent to return, which must parse as a URL whose host is our own domain.', 'routes/auth/signout.js', 'reject', 'the host is compared exactly with our domain after URL parsing; subdomain tricks fail'),
  d('redirect-meta-refresh', 'open-redirect', 'Open redirect: req.query.to reaches a meta refresh', 'The interstitial page writes the to parameter into a meta refresh tag.', 'views/leaving.ejs', 'reject', 'this is the deliberate "you are leaving our site" page; it shows the destination and waits'),
  d('redirect-backslash', 'open-redirect', 'Open redirect: req.query.next reaches res.redirect()', 'The next parameter is allowed when it starts with a slash.', 'routes/auth/sso.js', 'approve', '/\\evil.com passes the check and browsers treat it as //evil.com; reject backslashes too'),
  d('proto-lodash-set', 'prototype-pollution', 'Prototype pollution: req.body.path reaches _.set()', 'A path and a value from the client are applied to the document with lodash set.', 'routes/documents-patch.js', 'approve', 'path constructor.prototype.isAdmin pollutes every object; allow only known paths'),
  d('proto-map', 'prototype-pollution', 'Prototype pollution: req.query reaches a Map', 'Query keys are copied into a Map of filters.', 'routes/search-filters.js', 'reject', 'a Map has no prototype lookups for its keys; __proto__ is just a key here'),
  d('proto-json-merge-frozen', 'prototype-pollution', 'Prototype pollution: body reaches merge()', 'Theme overrides are merged into the theme object.', 'lib/themes/merge.js', 'reject', 'the process runs with --frozen-intrinsics and the merge target is Object.create(null)'),
  d('nosql-regex', 'nosql-injection', 'NoSQL injection: req.query.name reaches $regex', 'The name filter is used as a regular expression in the users query.', 'routes/user-search.js', 'approve', 'unescaped $regex lets users run catastrophic patterns and match everything; escape the input'),
  d('nosql-mongoose-strict', 'nosql-injection', 'NoSQL injection: req.body reaches Model.updateOne()', 'The profile update passes the body as the update document.', 'routes/profile-update.js', 'approve', 'operators like $set on role are accepted; pick allowed fields explicitly'),
  d('nosql-dynamo', 'nosql-injection', 'NoSQL injection: req.query.id reaches DynamoDB get()', 'The id is used as the key of a DynamoDB get.', 'lib/dynamo/items.js', 'reject', 'DynamoDB keys are typed values, not query expressions; no injection'),
  d('nosql-express-query-parser', 'nosql-injection', 'NoSQL injection: req.query.email reaches User.find()', 'The email filter from the query string is passed to find.', 'routes/admin/users-search.js', 'reject', 'the app sets query parser to simple, so req.query values are always strings'),
  d('deser-v8', 'deserialization', 'Unsafe deserialisation: buffer reaches v8.deserialize()', 'Cached objects are read back with v8.deserialize from Redis.', 'lib/cache/redis.js', 'reject', 'v8 serialization carries no code; the Redis instance is private to the service'),
  d('deser-funcster', 'deserialization', 'Unsafe deserialisation: req.body.data reaches serialize-javascript eval', 'Saved widget configurations posted by users are revived with eval after serialize-javascript.', 'routes/widgets.js', 'approve', 'reviving with eval runs functions from the request; store plain JSON'),
  d('deser-xml-class', 'deserialization', 'Unsafe deserialisation: message reaches class-transformer plainToInstance()', 'Queue messages are turned into class instances for the handlers.', 'workers/events.js', 'reject', 'plainToInstance only copies properties; no code runs, and the queue is internal'),
  d('secret-public-key', 'hardcoded-secret', 'Hard-coded credential: key literal in source', 'A PEM block is assigned to a constant in the token verifier.', 'lib/auth/verify.js', 'reject', 'it is the public key used to verify tokens; public by design'),
  d('secret-firebase-config', 'hardcoded-secret', 'Hard-coded credential: apiKey literal in source', 'The Firebase web configuration with its apiKey is in the front-end bundle.', 'web/firebase.js', 'reject', 'Firebase web API keys identify the project and are meant to be public; access is governed by security rules'),
  d('secret-db-url', 'hardcoded-secret', 'Hard-coded credential: database URL with password', 'The production database connection string, with its password, is the default in the knexfile.', 'knexfile.js', 'approve', 'production password in git history; rotate it and read DATABASE_URL only'),
  d('secret-github-token-ci', 'hardcoded-secret', 'Hard-coded credential: GitHub token literal', 'A personal access token is used in the release script to publish packages.', 'scripts/release.js', 'approve', 'a real token with repo scope; revoke it and use the CI secret store'),
  d('hash-checksum-download', 'weak-hash', 'Weak hash: sha1 used in createHash()', 'Downloaded plugin archives are verified against a sha1 published on the same server.', 'lib/plugins/verify.js', 'approve', 'collisions and the same-origin checksum make this verification meaningless; use sha256 and signatures'),
  d('hash-cache-key', 'weak-hash', 'Weak hash: md5 used in createHash()', 'An md5 of the query parameters is used as the key of the rendered page cache.', 'lib/cache/page-key.js', 'reject', 'cache keys only; a collision at worst serves another cached page of the same public site'),
  d('hash-hmac-sha1', 'weak-hash', 'Weak hash: sha1 used in createHmac()', 'Webhook payloads from the payment provider are verified with HMAC-SHA1 as their documentation requires.', 'lib/webhooks/verify-provider.js', 'reject', 'HMAC-SHA1 is still sound for message authentication and it is what the provider signs with'),
  d('xxe-saml', 'xxe', 'XML external entities: samlResponse reaches xmldom DOMParser', 'SAML responses are parsed with xmldom before the signature is checked.', 'lib/sso/parse.js', 'approve', 'parsing attacker XML before validation; disable DTD processing and check signature wrapping'),
  d('xxe-fast-xml-parser', 'xxe', 'XML external entities: req.body reaches fast-xml-parser', 'Partner orders in XML are parsed with fast-xml-parser.', 'routes/partner-orders.js', 'reject', 'fast-xml-parser does not resolve external entities at all'),
  d('xxe-svg-sanitize', 'xxe', 'XML external entities: svg reaches libxmljs parseXml()', 'Uploaded SVG icons are parsed with libxmljs to strip scripts, with default options.', 'lib/icons/sanitize.js', 'reject', 'default options leave noent off; entities are not expanded'),
);
