export * from "./catalog.ts";
export * from "./format.ts";
export * from "./http-binding.ts";
export * from "./kafka-binding.ts";
export * from "./platform-event.ts";
export * from "./topics.ts";
