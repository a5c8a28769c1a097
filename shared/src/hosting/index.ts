export * from "./cloudevent-target.ts";
export * from "./host.ts";
export * from "./when-ready.ts";
