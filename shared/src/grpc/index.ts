export * from "./clients.ts";
export * from "./load.ts";
