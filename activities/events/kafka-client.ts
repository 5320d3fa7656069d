// The one door to @platformatic/kafka. The client declares Node >= 22 and calls ES2024's
// Promise.withResolvers, which Node 20 (Vigil's floor, and this machine's runtime) lacks; everything else it
// uses exists in Node 20. The polyfill below is the standard definition, installed only where missing.
// Import the client from here, never directly, so the polyfill is always in place.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export * from '@platformatic/kafka';
