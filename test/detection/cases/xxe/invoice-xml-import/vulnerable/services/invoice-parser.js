const libxmljs = require('libxmljs');
const xml2js = require('xml2js');

const PARSE_OPTIONS = { noblanks: true };

function parseInvoice(xml) {
  const doc = libxmljs.parseXml(xml, { noent: true, noblanks: true });
  return {
    number: doc.get('//invoice/number').text(),
    total: Number(doc.get('//invoice/total').text()),
  };
}

async function parseLegacyInvoice(xml) {
  const doc = await xml2js.parseStringPromise(xml, PARSE_OPTIONS);
  return { number: doc.invoice.number[0], total: Number(doc.invoice.total[0]) };
}

module.exports = { parseInvoice, parseLegacyInvoice };
