// With VIGIL_TIMINGS set (npm run bench:startup), the start and end of every activity are timing marks, so a
// scan's breakdown shows each stage beside the fixed start-up cost.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { mark } from '../infra/timings.js';

export function activityTimings(): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        mark(`activity.${ctx.info.activityType}.start`);
        try {
          return await next(input);
        } finally {
          mark(`activity.${ctx.info.activityType}.end`);
        }
      },
    },
  });
}
