export * from "./cloudevent-target.ts";
export * from "./code-cache.ts";
export * from "./host.ts";
export * from "./ping-target.ts";
export type { RequestWithBody } from "./request-body.ts";
export * from "./shutdown.ts";
export * from "./sources.ts";
export * from "./when-ready.ts";
