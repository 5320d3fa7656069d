const ejs = require('ejs');

function renderEmail(template, data) {
  return ejs.render(template, data, { rmWhitespace: true });
}

module.exports = { renderEmail };
