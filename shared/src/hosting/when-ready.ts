// Wraps an HTTP target so it first awaits the function's start-up work (migrations, indexes),
// answering 503 + Retry-After while that fails, and afterwards runs `after` (an outbox flush,
// say) for requests that may have written.
import type { Request, Response } from "@google-cloud/functions-framework";
import { sendProblem, serviceUnavailable } from "../http/problem.ts";

export function whenReady(
  ready: () => Promise<unknown>,
  handler: (req: Request, res: Response) => Promise<void>,
  afterWrite?: () => void,
) {
  return async (req: Request, res: Response): Promise<void> => {
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
