// gRPC status codes and how to tell them, without loading gRPC's library: functions that only
// sometimes call another function check answers with these, and load gRPC on first use.

/** The status codes gRPC defines (grpc-js's `status`, same numbers). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

export const isGrpcStatus = (error: unknown, code: GrpcStatusCode): boolean =>
  (error as { code?: number } | null)?.code === code;
