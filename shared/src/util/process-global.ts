// State that must be one per process, not one per copy of a module: in a production build the
// host and the function are separate bundles, each with its own copy of shared/, and the span a
// host starts, the metrics it serves and the hooks it runs are the function's too.
export function processGlobal<T>(name: string, create: () => T): T {
  const key = Symbol.for(`stream-platform.${name}`);
  const store = globalThis as { [key]?: T };
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}
