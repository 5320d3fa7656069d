// Where attacker-controlled data enters: members of a framework's request object. The request object is
// the value a route-handler parameter receives (see frameworks.ts, HANDLER_PARAMETERS).

export interface RequestSourceModel {
  /** Type of the request value (a TypeProducer or handler parameter role gives values this type). */
  requestType: string;
  /** Property name, or `name()` for a method whose result is request input. */
  member: string;
  sourceKind: string;
  description: string;
}

export const REQUEST_SOURCES: RequestSourceModel[] = [
  { requestType: 'express.request', member: 'params', sourceKind: 'req.params', description: 'URL path parameters' },
  { requestType: 'express.request', member: 'query', sourceKind: 'req.query', description: 'the query string' },
  { requestType: 'express.request', member: 'body', sourceKind: 'req.body', description: 'the request body' },
  { requestType: 'express.request', member: 'headers', sourceKind: 'req.headers', description: 'request headers' },
  { requestType: 'express.request', member: 'cookies', sourceKind: 'req.cookies', description: 'cookies' },
  { requestType: 'express.request', member: 'signedCookies', sourceKind: 'req.signedCookies', description: 'signed cookies (client-chosen values)' },
  { requestType: 'express.request', member: 'files', sourceKind: 'req.files', description: 'uploaded file metadata' },
  { requestType: 'express.request', member: 'param()', sourceKind: 'req.param()', description: 'a request parameter' },
  { requestType: 'express.request', member: 'get()', sourceKind: 'req.get()', description: 'a request header' },
  { requestType: 'express.request', member: 'header()', sourceKind: 'req.header()', description: 'a request header' },
];
