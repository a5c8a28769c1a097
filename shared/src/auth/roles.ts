// Roles (accounts' users.roles): what an account may do beyond its own things. A function that
// serves a role's pages asks accounts for the session's roles over gRPC on every request: those
// pages are few and rarely asked for, and a role granted or taken back counts at once.
import type { IncomingMessage } from "node:http";
import type { Role } from "../api/views.ts";
import { grpcClient } from "../grpc/lazy.ts";
import { GrpcStatus, isGrpcStatus } from "../grpc/status.ts";
import { HttpProblem, serviceUnavailable } from "../http/problem.ts";
import { requireSession, type Session } from "./jwt.ts";

const accounts = grpcClient((grpc) => new grpc.AccountsClient());

async function rolesOf({ userId, sessionId }: Session): Promise<readonly string[]> {
  try {
    return (await (await accounts()).getAccount(userId, sessionId)).roles;
  } catch (error) {
    if (isGrpcStatus(error, GrpcStatus.NOT_FOUND))
      throw new HttpProblem({
        status: 401,
        title: "Not signed in",
        detail: "this session has ended or its account no longer exists",
      });
    throw new HttpProblem(
      serviceUnavailable("cannot tell now what this account may do; try again shortly", 2),
    );
  }
}

/** The signed-in user holding `role`: otherwise 401 (not signed in) or 403 naming the role. */
export async function requireRole(req: IncomingMessage, role: Role): Promise<Session> {
  const session = await requireSession(req);
  if (!(await rolesOf(session)).includes(role))
    throw new HttpProblem({
      status: 403,
      title: "Operators only",
      detail: `this needs the ${role} role, which an operator of the deployment grants (npm run operator -- grant EMAIL)`,
    });
  return session;
}
