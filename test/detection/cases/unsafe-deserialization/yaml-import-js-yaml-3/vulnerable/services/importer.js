const yaml = require('js-yaml');

function parseWorkflow(text) {
  const doc = yaml.load(text);
  if (!doc || !Array.isArray(doc.steps)) throw new Error('a workflow needs steps');
  return { name: String(doc.name || 'untitled'), steps: doc.steps };
}

module.exports = { parseWorkflow };
