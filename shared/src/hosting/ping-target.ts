// The target of a PingSource (a job on a schedule): it POSTs; anything else is 405. Whoever
// POSTs must be who a sink trusts (sinkCallerProblem: the platform-internal token locally and in
// Compose, the PingSource's OIDC token on Knative), so a stray caller cannot run the job at will.
// The answer (200 with what `work` returns) comes when the run's work is done.
import type { ServerResponse } from "node:http";
import { sendProblem } from "../http/problem.ts";
import type { RequestWithBody } from "./request-body.ts";
import { sinkCallerProblem } from "./sink-credential.ts";

export function pingTarget(work: () => Promise<unknown>) {
  return async (req: RequestWithBody, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      sendProblem(res, {
        status: 405,
        title: "Method not allowed",
        detail: "the PingSource POSTs here",
      });
      return;
    }
    const refused = await sinkCallerProblem(req.headers.authorization);
    if (refused) {
      sendProblem(res, refused);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await work()));
  };
}
