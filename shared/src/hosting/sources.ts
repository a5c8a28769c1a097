// Where a function's code is: its TypeScript source (run through tsx), or, in a production build
// (FUNCTIONS_DIST, written by `npm run build`), the bundle at the same path under that directory.
import { join, resolve } from "node:path";

export const bundlePath = (dist: string, source: string) =>
  join(dist, source.replace(/\.ts$/, ".cjs"));

export const sourceFile = (source: string, dist = process.env.FUNCTIONS_DIST) =>
  dist ? resolve(bundlePath(dist, source)) : resolve(source);
