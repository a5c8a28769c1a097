export * from "./cloudevents/index.ts";
export * from "./config.ts";
export * from "./kafka.ts";
