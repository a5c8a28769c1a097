// A gRPC client made on first use, with gRPC's library: loaded then, not at cold start (grpc-js
// and protobufjs are ~50 ms of a start; most requests of a function that sometimes calls
// another never need them). Closed at shutdown if it was made.
type Grpc = typeof import("./index.ts");

export function grpcClient<T extends { close(): void }>(
  create: (grpc: Grpc) => T,
): (() => Promise<T>) & { close(): void } {
  let client: Promise<T> | undefined;
  let made: T | undefined;
  const get = () => {
    client ??= import("./index.ts").then((grpc) => {
      made = create(grpc);
      return made;
    });
    return client;
  };
  return Object.assign(get, { close: () => made?.close() });
}
