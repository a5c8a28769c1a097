export * from "./cloudevent-target.ts";
export * from "./host.ts";
