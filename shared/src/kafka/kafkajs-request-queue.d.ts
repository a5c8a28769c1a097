// The part of kafkajs's (untyped) per-connection request queue that request-queue-fix.ts mends.
declare module "kafkajs/src/network/requestQueue/index.js" {
  export default class RequestQueue {
    constructor(options: {
      maxInFlightRequests: number | null;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: unknown;
      isConnected?: () => boolean;
    });
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    maybeThrottle(clientSideThrottleTime: number): void;
  }
}
