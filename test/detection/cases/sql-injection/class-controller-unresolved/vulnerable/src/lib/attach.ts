import type { Express } from 'express';

// Each controller class lists its routes in a static `routes` table: [verb, path, methodName].
export function attachControllers(app: Express, controllers: any[]) {
  for (const C of controllers) {
    const instance = new C();
    for (const [verb, path, name] of C.routes) (app as any)[verb](path, (req: any, res: any) => instance[name](req, res));
  }
}
