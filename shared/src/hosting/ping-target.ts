// The target of a PingSource (a job on a schedule): it POSTs; anything else is 405. The answer
// (200 with what `work` returns) comes when the run's work is done.
import type { Request, Response } from "@google-cloud/functions-framework";
import { sendProblem } from "../http/problem.ts";

export function pingTarget(work: () => Promise<unknown>) {
  return async (req: Request, res: Response): Promise<void> => {
    if (req.method !== "POST") {
      sendProblem(res, {
        status: 405,
        title: "Method not allowed",
        detail: "the PingSource POSTs here",
      });
      return;
    }
    res.status(200).json(await work());
  };
}
