export * from "./cloudevents/index.ts";
export * from "./config.ts";
export * from "./http/problem.ts";
export * from "./kafka.ts";
