// Server-side template languages: how each writes a value into the page, which outputs skip escaping, how
// loops and partials name data, and the calls that make a value safe HTML. js/templates.ts reads these rows;
// a new engine is a new row.

export interface TemplateOutput {
  /** Over the template text; group 1 is the expression written out. */
  pattern: RegExp;
  /** The engine writes the value without HTML-escaping it. */
  raw: boolean;
}

export interface TemplateLanguage {
  id: string;
  /** File extensions, without the dot. */
  extensions: string[];
  /** npm modules that implement the language (`app.engine('html', require('ejs').renderFile)`). */
  modules: string[];
  outputs: TemplateOutput[];
  /** A filter inside an escaped output that turns escaping off (`{{ x | safe }}`). */
  rawFilter?: RegExp;
  /** Regions where escaping is off (`{% autoescape false %}` … `{% endautoescape %}`). */
  rawRegion?: { open: RegExp; close: RegExp };
  /** Loop headers that name the elements of a collection: groups `item` and `list`. */
  loops: RegExp[];
  /** Blocks whose body reads the elements of a collection by bare name (`{{#each items}}` … `{{/each}}`): group `list`. */
  contextBlock?: { open: RegExp; close: RegExp };
  /** Partials: group `name` (resolved from the including template's folder, then the views folder). */
  includes: RegExp[];
  /** The variable the data is reached through, when not the template's scope (`it.name` in Eta). */
  dataRoot?: string;
  /**
   * Where script context is: 'html' — inside <script> elements, on* attributes and javascript: URLs of the
   * HTML text; 'indented' — also Pug's `script.` blocks and `script` tags, found by indentation.
   */
  layout: 'html' | 'indented';
}

const ID = String.raw`[A-Za-z_$][\w$]*`;

export const TEMPLATE_LANGUAGES: TemplateLanguage[] = [
  {
    id: 'ejs',
    extensions: ['ejs'],
    modules: ['ejs', 'ejs-mate', 'express-ejs-layouts'],
    outputs: [
      { pattern: /<%-([\s\S]*?)[-_]?%>/g, raw: true },
      { pattern: /<%=([\s\S]*?)[-_]?%>/g, raw: false },
    ],
    loops: [
      new RegExp(String.raw`(?<list>${ID}(?:\.${ID})*)\.(?:forEach|map)\(\s*(?:function\s*\w*\s*)?\(?\s*(?<item>${ID})`, 'g'),
      new RegExp(String.raw`for\s*\(\s*(?:var|let|const)\s+(?<item>${ID})\s+of\s+(?<list>${ID}(?:\.${ID})*)`, 'g'),
    ],
    includes: [/<%[-=]?\s*include\s*\(\s*['"](?<name>[^'"]+)['"]/g, /<%\s*include\s+(?<name>[\w./-]+)\s*%>/g],
    layout: 'html',
  },
  {
    id: 'eta',
    extensions: ['eta'],
    modules: ['eta'],
    outputs: [
      { pattern: /<%~([\s\S]*?)[-_]?%>/g, raw: true },
      { pattern: /<%=([\s\S]*?)[-_]?%>/g, raw: false },
    ],
    loops: [new RegExp(String.raw`(?<list>${ID}(?:\.${ID})*)\.(?:forEach|map)\(\s*(?:function\s*\w*\s*)?\(?\s*(?<item>${ID})`, 'g')],
    includes: [/<%~\s*include(?:Async)?\s*\(\s*['"](?<name>[^'"]+)['"]/g],
    dataRoot: 'it',
    layout: 'html',
  },
  {
    id: 'pug',
    extensions: ['pug', 'jade'],
    modules: ['pug', 'jade'],
    outputs: [
      // Unescaped interpolation and buffered code: `!{x}`, `p!= x`, `!= x`, `a(href!=x)`.
      { pattern: /!\{([^}\n]+)\}/g, raw: true },
      { pattern: /^[ \t]*(?:[\w.#:-]+(?:\([^)\n]*\))?)?!=[ \t]*(.+)$/gm, raw: true },
      { pattern: /[(,\s][\w:@-]+!=\s*([^,)\n]+)/g, raw: true },
      { pattern: /#\{([^}\n]+)\}/g, raw: false },
      { pattern: /^[ \t]*(?:[\w.#:-]+(?:\([^)\n]*\))?)?=[ \t]*(.+)$/gm, raw: false },
    ],
    loops: [new RegExp(String.raw`^[ \t]*(?:each|for)\s+(?<item>${ID})(?:\s*,\s*${ID})?\s+in\s+(?<list>${ID}(?:\.${ID})*)`, 'gm')],
    includes: [/^[ \t]*include\s+(?<name>[\w./-]+)/gm],
    layout: 'indented',
  },
  {
    id: 'handlebars',
    extensions: ['hbs', 'handlebars', 'mustache'],
    modules: ['handlebars', 'express-handlebars', 'hbs', 'mustache', 'mustache-express', 'consolidate'],
    outputs: [
      { pattern: /\{\{\{\s*([^}]+?)\s*\}\}\}/g, raw: true },
      { pattern: /\{\{&\s*([^}]+?)\s*\}\}/g, raw: true },
      { pattern: /(?<!\{)\{\{(?![{#/!>^&~]|else\b)\s*([^}]+?)\s*\}\}(?!\})/g, raw: false },
    ],
    loops: [new RegExp(String.raw`\{\{#each\s+(?<list>${ID}(?:\.${ID})*)\s+as\s+\|(?<item>${ID})`, 'g')],
    contextBlock: { open: new RegExp(String.raw`\{\{#(?:each|with)\s+(?<list>${ID}(?:\.${ID})*)\s*\}\}`, 'g'), close: /\{\{\/(?:each|with)\s*\}\}/g },
    includes: [/\{\{>\s*['"]?(?<name>[\w./-]+)['"]?/g],
    layout: 'html',
  },
  {
    id: 'nunjucks',
    extensions: ['njk', 'nunjucks', 'jinja', 'jinja2', 'twig'],
    modules: ['nunjucks', 'twig', 'swig'],
    outputs: [{ pattern: /\{\{-?([\s\S]*?)-?\}\}/g, raw: false }],
    rawFilter: /\|\s*safe\b/,
    rawRegion: { open: /\{%-?\s*autoescape\s+false\s*-?%\}/g, close: /\{%-?\s*endautoescape\s*-?%\}/g },
    loops: [new RegExp(String.raw`\{%-?\s*for\s+(?<item>${ID})(?:\s*,\s*${ID})?\s+in\s+(?<list>${ID}(?:\.${ID})*)`, 'g')],
    includes: [/\{%-?\s*(?:include|extends)\s+['"](?<name>[^'"]+)['"]/g],
    layout: 'html',
  },
];

/**
 * Calls that turn any value into text safe in every HTML context, written inside a template output
 * (`<%- escape(x) %>`, `!{sanitize(x)}`): the data inside them is not a sink. Numbers count too.
 */
export const TEMPLATE_ESCAPING_CALLS = /(?<![\w$.])(?:escape|escapeHtml|escapeHTML|htmlEscape|encodeHTML|encodeHtml|he\.encode|he\.escape|validator\.escape|sanitize|sanitizeHtml|DOMPurify\.sanitize|purify\.sanitize|filterXSS|xss|parseInt|parseFloat|Number|encodeURIComponent|serialize|serializeJavascript|jsesc|htmlSafeJson|escapeJSON)\s*\(/g;

/** Names a template reaches that are not data passed to it (helpers, globals, loop counters). */
export const TEMPLATE_NON_DATA = new Set([
  'JSON', 'Math', 'Date', 'Number', 'String', 'Object', 'Array', 'include', 'locals', 'this', 'true', 'false', 'null',
  'undefined', 'typeof', 'new', 'if', 'else', 'for', 'var', 'let', 'const', 'function', 'return', 'in', 'of', 'each',
  'not', 'and', 'or', 'is',
]);

/** Where escaped output is still code: on* attributes and javascript: URLs (entities are decoded before the script runs). */
export const SCRIPT_ATTRIBUTE = /\son[a-z]+\s*=\s*(?:"[^"]*|'[^']*)$|\s(?:href|src|action|formaction)\s*=\s*(?:"\s*javascript:[^"]*|'\s*javascript:[^']*)$/i;

/** <script> types that hold data or client-side templates, not code the browser runs. */
export const NON_CODE_SCRIPT_TYPES = /type\s*=\s*["']?(text\/(template|x-template|html|x-handlebars-template|ng-template)|application\/(ld\+)?json)/i;

/** An expression made safe for script context after it is built (`JSON.stringify(x).replace(/</g, '\\u003c')`). */
export const TEMPLATE_SCRIPT_SAFE = /\.replace\(\s*\/<\/g|\.replace\(\s*\/\[<>/;
