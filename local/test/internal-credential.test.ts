// Sinks and gRPC servers verify a credential (issue #23, item 2), not only the network: a
// CloudEvent POSTed straight to a sink, a scheduled job's run, or a gRPC call, without the
// platform-internal token (or with another) is refused; with it, taken. The check lives in the shared hosts
// (shared/src/hosting/cloudevent-target.ts, grpc-host.ts), so every sink and server has it.
import { createEvent, GrpcStatus, isGrpcStatus, toHttpBinary } from "@stream-platform/shared";
import { AccountsClient, EventsClient } from "@stream-platform/shared/grpc";
import { asPingSource, newUser, platformServiceAddress } from "@stream-platform/shared/testing";
import { afterEach, describe, expect, it } from "vitest";

const token = process.env.INTERNAL_TOKEN;
afterEach(() => {
  process.env.INTERNAL_TOKEN = token;
});

const SINKS = ["notifications-fanout", "events-lifecycle", "search-indexer", "chat-sink"];

async function postTo(service: string, authorization?: string) {
  const { headers, body } = toHttpBinary(
    createEvent({
      type: "streamplatform.diagnostic.ping",
      source: "/test/internal-credential",
      subject: "internal-credential",
      data: { note: "who may post here?" },
    }),
  );
  const response = await fetch(`http://${await platformServiceAddress(service)}/`, {
    method: "POST",
    headers: { ...headers, ...(authorization && { authorization }) },
    body,
  });
  return { status: response.status, type: response.headers.get("content-type") ?? "" };
}

describe("the platform-internal credential", () => {
  it("refuses a CloudEvent POSTed to a sink without the internal token", async () => {
    expect(token).toBeTruthy();
    for (const sink of SINKS) {
      for (const authorization of [undefined, "Bearer not-the-token", `Basic ${token}`]) {
        const refused = await postTo(sink, authorization);
        expect(refused.status, `${sink} with ${authorization}`).toBe(401);
        expect(refused.type).toContain("application/problem+json");
      }
      // The same event with the token: taken (no handler for a ping here: 204).
      expect((await postTo(sink, `Bearer ${token}`)).status, sink).toBe(204);
    }
  });

  it("refuses a scheduled job's run POSTed without the internal token (a PingSource's target)", async () => {
    for (const job of ["events-reminders", "notifications-digest"]) {
      const url = `http://${await platformServiceAddress(job)}/`;
      for (const authorization of [undefined, "Bearer not-the-token"]) {
        const refused = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(authorization && { authorization }) },
          body: "{}",
        });
        expect(refused.status, `${job} with ${authorization}`).toBe(401);
        expect(refused.headers.get("content-type")).toContain("application/problem+json");
      }
      // As the PingSource sends it: the job runs.
      const run = await fetch(url, { method: "POST", headers: asPingSource(), body: "{}" });
      expect(run.status, job).toBe(200);
    }
  });

  it("refuses gRPC calls without the internal token (UNAUTHENTICATED)", async () => {
    const user = await newUser("internal-grpc");
    const call = async () => {
      const accounts = new AccountsClient(await platformServiceAddress("accounts-grpc"));
      const events = new EventsClient(await platformServiceAddress("events-grpc"));
      try {
        return await Promise.allSettled([
          accounts.getAccount(user.id),
          events.getEvent("evt_doesnotexist"),
        ]);
      } finally {
        accounts.close();
        events.close();
      }
    };
    for (const wrong of ["", "not-the-token"]) {
      process.env.INTERNAL_TOKEN = wrong;
      for (const outcome of await call()) {
        expect(outcome.status).toBe("rejected");
        if (outcome.status === "rejected")
          expect(isGrpcStatus(outcome.reason, GrpcStatus.UNAUTHENTICATED)).toBe(true);
      }
    }
    process.env.INTERNAL_TOKEN = token;
    const [account, event] = await call();
    expect(account).toMatchObject({ status: "fulfilled", value: { id: user.id } });
    // Past the check: the server itself answers (no such event).
    expect(event?.status).toBe("rejected");
    if (event?.status === "rejected")
      expect(isGrpcStatus(event.reason, GrpcStatus.NOT_FOUND)).toBe(true);
  });
});
