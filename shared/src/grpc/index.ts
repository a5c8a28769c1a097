export * from "./clients.ts";
export * from "./directory.ts";
export * from "./load.ts";
