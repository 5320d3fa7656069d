import * as libxml from 'libxmljs2';

const XML_OPTIONS = { dtdload: true, noent: true, nonet: false };

export function validateSitemap(xml: string): { ok: boolean; urls: number } {
  const doc = libxml.parseXmlString(xml, { dtdload: true, noent: true, nonet: false });
  const urls = doc.find('//*[local-name()="url"]').length;
  return { ok: urls > 0, urls };
}

export { XML_OPTIONS };
