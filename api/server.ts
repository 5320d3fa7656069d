// Serving the app over HTTP. Loopback by default: exposing the API is a deliberate choice.
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { AppEnv } from './env.js';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export function startApiServer(opts: { app: Hono<AppEnv>; port: number; hostname?: string }): Promise<ApiServer> {
  const hostname = opts.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: Error) => reject(new Error(`Could not listen on ${hostname}:${opts.port} (${err.message}); pick another port or stop what uses it.`));
    server = serve({ fetch: opts.app.fetch, port: opts.port, hostname }, (info: AddressInfo) => {
      server.off('error', onError);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Keep-alive connections would hold close() open; idle ones can go now.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', onError);
  });
}
