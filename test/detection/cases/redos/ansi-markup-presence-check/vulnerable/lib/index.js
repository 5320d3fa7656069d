const palette = require('./palette');

const ESCAPE_PRESENT = /\u001b\[/;
const SEQUENCE = /\u001b\[((?:\d+;?)+)m/g;

const styleFor = (codes) =>
  codes
    .split(';')
    .map((c) => palette[c])
    .filter(Boolean)
    .map((colour) => `color:${colour}`)
    .join(';');

/**
 * Converts terminal output to HTML. Text without any escape sequence is returned as it is.
 */
function toSpans(text) {
  if (!ESCAPE_PRESENT.test(text)) {
    return text;
  }
  let open = 0;
  const body = text.replace(SEQUENCE, (all, codes) => {
    if (codes === '0') {
      const closing = '</span>'.repeat(open);
      open = 0;
      return closing;
    }
    open += 1;
    return `<span style="${styleFor(codes)}">`;
  });
  return body + '</span>'.repeat(open);
}

module.exports = { toSpans };
