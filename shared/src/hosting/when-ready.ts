// Wraps an HTTP target so it first awaits the function's start-up work (migrations, indexes),
// answering 503 + Retry-After while that fails, and afterwards runs `after` (an outbox flush,
// say) for requests that may have written.
import type { ServerResponse } from "node:http";
import { sendProblem, serviceUnavailable } from "../http/problem.ts";
import type { RequestWithBody } from "./request-body.ts";

export function whenReady(
  ready: () => Promise<unknown>,
  handler: (req: RequestWithBody, res: ServerResponse) => Promise<void>,
  afterWrite?: () => void,
) {
  return async (req: RequestWithBody, res: ServerResponse): Promise<void> => {
    try {
      await ready();
    } catch {
      sendProblem(res, serviceUnavailable("the store is not ready"));
      return;
    }
    await handler(req, res);
    if (req.method !== "GET") afterWrite?.();
  };
}
