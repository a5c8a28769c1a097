// The HTTP API through the edge, against the real PostgreSQL.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GrpcStatus, isGrpcStatus } from "@stream-platform/shared";
import { AccountsClient, ChannelsClient } from "@stream-platform/shared/grpc";
import {
  api,
  type EventWatch,
  newUser,
  platformServiceAddress,
  type TestUser,
  uniqueSlug,
  until,
  watchEvents,
} from "@stream-platform/shared/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

interface ChannelBody {
  id: string;
  ownerId: string;
  slug: string;
  title: string;
  streamKey?: string;
}

let owner: TestUser;
let other: TestUser;
let channels: ChannelsClient;
let accounts: AccountsClient;
let watch: EventWatch;

beforeAll(async () => {
  [owner, other] = await Promise.all([newUser("owner"), newUser("other")]);
  channels = new ChannelsClient(await platformServiceAddress("accounts-grpc"));
  accounts = new AccountsClient(await platformServiceAddress("accounts-grpc"));
  watch = await watchEvents(["channels", "subscriptions"]);
});

afterAll(async () => {
  channels.close();
  accounts.close();
  await watch.stop();
});

async function createChannel(user: TestUser): Promise<ChannelBody> {
  const created = await api<ChannelBody>("/api/channels", {
    token: user.token,
    body: { slug: uniqueSlug(), title: "Live cooking", description: "Pasta, mostly" },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe("accounts", () => {
  it("answers a sign-up with a taken email as one with a free email, and tells the owner at sign-in", async () => {
    const user = await newUser("ada");
    const free = await api("/api/users", {
      body: { email: `free-${user.email}`, password: "another password", displayName: "Eve" },
    });
    const taken = await api("/api/users", {
      body: { email: user.email.toUpperCase(), password: "another password", displayName: "Eve" },
    });
    // Status, headers that matter and body alike, but for the email echoed back.
    expect(taken.status).toBe(202);
    expect(free.status).toBe(202);
    expect({ ...(taken.body as object), email: "" }).toEqual({
      ...(free.body as object),
      email: "",
    });
    expect(taken.headers.get("location")).toBeNull();
    // The account kept its password; its owner hears of the attempt once.
    const thief = await api("/api/sessions", {
      body: { email: user.email, password: "another password" },
    });
    expect(thief.status).toBe(401);
    const signIn = () =>
      api<{ notices?: string[] }>("/api/sessions", {
        body: { email: user.email, password: user.password },
      });
    expect((await signIn()).body.notices).toEqual([
      expect.stringContaining("someone tried to make an account with your email"),
    ]);
    expect((await signIn()).body.notices).toBeUndefined();
    const me = await api("/api/me", { token: user.token });
    expect(me.body).toMatchObject({ id: user.id, email: user.email, displayName: "ada" });
    expect(me.body).not.toHaveProperty("passwordHash");
  });

  it("answers a wrong password and an unknown email alike, with 401", async () => {
    const wrongPassword = await api("/api/sessions", {
      body: { email: owner.email, password: "not the password" },
    });
    const unknownEmail = await api("/api/sessions", {
      body: { email: "nobody@example.org", password: owner.password },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
  });

  it.each([
    [{ email: "not-an-email", password: "long enough", displayName: "x" }, "email"],
    [{ email: "a@example.org", password: "short", displayName: "x" }, "password"],
    [{ email: "a@example.org", password: "long enough", displayName: "" }, "displayName"],
    [{ email: "a@example.org", password: "long enough" }, "displayName"],
  ])("refuses an invalid sign-up body with 400 naming the field (%o)", async (body, field) => {
    const response = await api<{ errors: { field: string }[] }>("/api/users", { body });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e) => e.field)).toContain(field);
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await api("/api/users", { body: "{nope" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("the browser's session cookie", () => {
  it("is set HttpOnly and SameSite=Strict at sign-in, works for reads, and is cleared at sign-out", async () => {
    const user = await newUser("browser");
    const session = await api("/api/sessions", {
      body: { email: user.email, password: user.password },
    });
    const [cookie = "", hint] = session.headers.getSetCookie();
    expect(cookie).toMatch(/^session=[^;]+; Max-Age=\d+; HttpOnly; Path=\/; SameSite=Strict$/);
    expect(hint).toMatch(/^signed_in=1; Max-Age=\d+; Path=\/; SameSite=Strict$/);
    const pair = cookie.split(";")[0] ?? "";
    const me = await api("/api/me", { headers: { cookie: pair } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id });

    const out = await api("/api/sessions", { method: "DELETE", headers: { cookie: pair } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^session=; Max-Age=0; HttpOnly/),
      expect.stringMatching(/^signed_in=; Max-Age=0;/),
    ]);
  });

  it("refuses a write on the cookie's strength from another site (403), not from its own pages", async () => {
    const user = await newUser("csrf");
    const session = await api("/api/sessions", {
      body: { email: user.email, password: user.password },
    });
    const cookie = (session.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const body = { slug: uniqueSlug(), title: "Forged", description: "" };
    const forged = await api("/api/channels", {
      body,
      headers: { cookie, "sec-fetch-site": "cross-site" },
    });
    expect(forged.status).toBe(403);
    expect((await api("/api/me/channels", { token: user.token })).body).toEqual({ items: [] });
    const own = await api("/api/channels", {
      body,
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    expect(own.status).toBe(201);
  });
});

describe("tokens", () => {
  it("refuses a missing, tampered, expired, wrongly signed or unsigned token with 401", async () => {
    const [header, payload, signature] = owner.token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: other.id })).toString("base64url")}.${signature}`;
    const secret = new TextEncoder().encode(
      readFileSync(join(repoRoot, ".data", "secrets", "jwt-secret"), "utf8").trim(),
    );
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(owner.id)
      .setIssuer("stream-platform")
      .setAudience("stream-platform")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const wrongKey = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(owner.id)
      .setIssuer("stream-platform")
      .setAudience("stream-platform")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("x".repeat(40)));
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
    for (const token of [undefined, "garbage", tampered, expired, wrongKey, unsigned]) {
      const response = await api("/api/me/subscriptions", { token });
      expect(response.status, String(token)).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});

describe("deleting an account", () => {
  it("needs the password, then refuses the account's tokens here and in every other function", async () => {
    const leaving = await newUser("leaving");
    const channel = await createChannel(leaving);
    // Another function has seen the account (and may remember it for a few seconds).
    expect((await api("/api/me/notifications", { token: leaving.token })).status).toBe(200);

    const noPassword = await api("/api/me", { method: "DELETE", token: leaving.token, body: {} });
    expect(noPassword.status).toBe(400);
    expect(JSON.stringify(noPassword.body)).toContain("password");
    const wrong = await api("/api/me", {
      method: "DELETE",
      token: leaving.token,
      body: { password: "not the password" },
    });
    expect(wrong.status).toBe(403);
    expect((await api("/api/me", { token: leaving.token })).status).toBe(200);
    expect(await accounts.getAccount(leaving.id)).toMatchObject({ id: leaving.id });

    const deleted = await api("/api/me", {
      method: "DELETE",
      token: leaving.token,
      body: { password: leaving.password },
    });
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("set-cookie")).toContain("session=;");

    // The function that owns accounts refuses at once; the others once their few seconds pass.
    expect((await api("/api/me", { token: leaving.token })).status).toBe(401);
    expect((await api("/api/me/subscriptions", { token: leaving.token })).status).toBe(401);
    const gone = await accounts.getAccount(leaving.id).catch((error: unknown) => error);
    expect(isGrpcStatus(gone, GrpcStatus.NOT_FOUND)).toBe(true);
    await until(
      "the notifications function to refuse the token",
      async () =>
        (await api("/api/me/notifications", { token: leaving.token })).status === 401
          ? true
          : undefined,
      10_000,
      200,
    );
    const event = await api("/api/events", {
      token: leaving.token,
      body: {
        channelId: channel.id,
        title: "After the end",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(401);
    // Its channel went with it; signing in no longer works.
    expect((await api(`/api/channels/${channel.slug}`)).status).toBe(404);
    const signIn = await api("/api/sessions", {
      body: { email: leaving.email, password: leaving.password },
    });
    expect(signIn.status).toBe(401);
  });
});

describe("channels and stream keys", () => {
  it("shows the stream key to its owner only", async () => {
    const channel = await createChannel(owner);
    expect(channel.streamKey).toMatch(/^sk_/);
    const publicView = await api<ChannelBody>(`/api/channels/${channel.slug}`);
    expect(publicView.status).toBe(200);
    expect(publicView.body).toMatchObject({
      id: channel.id,
      slug: channel.slug,
      ownerId: owner.id,
    });
    expect(JSON.stringify(publicView.body)).not.toContain(channel.streamKey);
    expect(
      (await api(`/api/channels/${channel.id}/stream-key`, { token: owner.token })).body,
    ).toEqual({
      streamKey: channel.streamKey,
    });
    expect(
      (await api(`/api/channels/${channel.id}/stream-key`, { token: other.token })).status,
    ).toBe(403);
    expect((await api(`/api/channels/${channel.id}/stream-key`)).status).toBe(401);
  });

  it("rotates the key: the old one stops authorizing, the new one does", async () => {
    const channel = await createChannel(owner);
    const old = channel.streamKey as string;
    expect((await channels.authorizePublish(old)).id).toBe(channel.id);
    const rotated = await api<{ streamKey: string }>(`/api/channels/${channel.id}/stream-key`, {
      method: "POST",
      token: owner.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.streamKey).not.toBe(old);
    const refused = await channels.authorizePublish(old).catch((error: unknown) => error);
    expect(isGrpcStatus(refused, GrpcStatus.PERMISSION_DENIED)).toBe(true);
    expect((await channels.authorizePublish(rotated.body.streamKey)).id).toBe(channel.id);
    // Told to stream-server (which cuts a live publish with the old key), without either key.
    const told = await watch.waitFor(
      (e) => e.type === "streamplatform.channel.key-rotated" && e.subject === channel.id,
    );
    expect(told).toMatchObject({ source: "/functions/accounts", data: { channelId: channel.id } });
    expect(JSON.stringify(told)).not.toContain(old);
    expect(JSON.stringify(told)).not.toContain(rotated.body.streamKey);
  });

  it("lists a person's own channels, without keys (401 signed out)", async () => {
    const user = await newUser("lister");
    const first = await createChannel(user);
    const second = await createChannel(user);
    await createChannel(other);
    const mine = await api<{ items: ChannelBody[] }>("/api/me/channels", { token: user.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c) => c.id)).toEqual([first.id, second.id]);
    expect(mine.body.items[0]).not.toHaveProperty("streamKey");
    expect((await api("/api/me/channels")).status).toBe(401);
  });

  it("lets only the owner rotate (403 for another user)", async () => {
    const channel = await createChannel(owner);
    const response = await api(`/api/channels/${channel.id}/stream-key`, {
      method: "POST",
      token: other.token,
    });
    expect(response.status).toBe(403);
    expect((await channels.authorizePublish(channel.streamKey as string)).id).toBe(channel.id);
  });

  it("refuses a taken slug with 409 and a bad slug with 400 naming it", async () => {
    const channel = await createChannel(owner);
    const taken = await api("/api/channels", {
      token: other.token,
      body: { slug: channel.slug, title: "Mine" },
    });
    expect(taken.status).toBe(409);
    const bad = await api<{ errors: { field: string }[] }>("/api/channels", {
      token: owner.token,
      body: { slug: "Not A Slug!", title: "" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(["slug", "title"]);
    expect(
      (await api("/api/channels", { body: { slug: uniqueSlug(), title: "anonymous" } })).status,
    ).toBe(401);
  });

  it("answers GetChannel over gRPC, and NOT_FOUND for an unknown id", async () => {
    const channel = await createChannel(owner);
    expect(await channels.getChannel(channel.id)).toMatchObject({
      id: channel.id,
      slug: channel.slug,
      ownerId: owner.id,
    });
    const missing = await channels
      .getChannel("00000000-0000-4000-8000-000000000000")
      .catch((error: unknown) => error);
    expect(isGrpcStatus(missing, GrpcStatus.NOT_FOUND)).toBe(true);
  });
});

describe("CloudEvents", () => {
  it("emits channel.created, subscription.created and subscription.deleted, once each", async () => {
    const channel = await createChannel(owner);
    const created = await watch.waitFor(
      (e) => e.type === "streamplatform.channel.created" && e.subject === channel.id,
    );
    expect(created).toMatchObject({
      source: "/functions/accounts",
      data: { channelId: channel.id, ownerId: owner.id, slug: channel.slug, title: channel.title },
    });
    const path = `/api/subscriptions/channels/${channel.id}`;
    await api(path, { method: "PUT", token: other.token });
    await api(path, { method: "PUT", token: other.token });
    await api(path, { method: "DELETE", token: other.token });
    await api(path, { method: "DELETE", token: other.token });
    const subject = `channel:${channel.id}:${other.id}`;
    await watch.waitFor(
      (e) => e.type === "streamplatform.subscription.deleted" && e.subject === subject,
    );
    const types = watch.events.filter((e) => e.subject === subject).map((e) => e.type);
    // Repeated PUTs and DELETEs change nothing, so they say nothing.
    expect(types).toEqual([
      "streamplatform.subscription.created",
      "streamplatform.subscription.deleted",
    ]);
  });
});

describe("subscriptions", () => {
  it("subscribes and unsubscribes idempotently, and counts", async () => {
    const channel = await createChannel(owner);
    const path = `/api/subscriptions/channels/${channel.id}`;
    expect((await api(path, { method: "PUT", token: other.token })).status).toBe(201);
    expect((await api(path, { method: "PUT", token: other.token })).status).toBe(200);
    expect((await api(`/api/channels/${channel.id}/subscribers/count`)).body).toMatchObject({
      count: 1,
    });
    const mine = await api<{ items: { target: { kind: string; id: string } }[] }>(
      "/api/me/subscriptions",
      {
        token: other.token,
      },
    );
    expect(mine.body.items.map((i) => i.target)).toContainEqual({
      kind: "channel",
      id: channel.id,
    });
    expect((await api(path, { method: "DELETE", token: other.token })).status).toBe(204);
    expect((await api(path, { method: "DELETE", token: other.token })).status).toBe(204);
    expect((await api(`/api/channels/${channel.id}/subscribers/count`)).body).toMatchObject({
      count: 0,
    });
  });

  it("subscribes to single events, and 404s an unknown channel or event", async () => {
    const channel = await createChannel(owner);
    const event = await api<{ id: string }>("/api/events", {
      token: owner.token,
      body: {
        channelId: channel.id,
        title: "Launch",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(event.status).toBe(201);
    expect(
      (
        await api(`/api/subscriptions/events/${event.body.id}`, {
          method: "PUT",
          token: other.token,
        })
      ).status,
    ).toBe(201);
    // An event id of the right shape that nobody scheduled (asked of the events function).
    expect(
      (await api("/api/subscriptions/events/evt_launch-1", { method: "PUT", token: other.token }))
        .status,
    ).toBe(404);
    const unknown = await api("/api/subscriptions/channels/00000000-0000-4000-8000-000000000000", {
      method: "PUT",
      token: other.token,
    });
    expect(unknown.status).toBe(404);
    const bad = await api<{ errors: { field: string }[] }>(
      "/api/subscriptions/channels/not-a-uuid",
      {
        method: "PUT",
        token: other.token,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe("id");
  });

  it("refuses a creator's subscription to their own channel (409 naming id), changing nothing", async () => {
    const channel = await createChannel(owner);
    const refused = await api<{ errors: { field: string; detail: string }[] }>(
      `/api/subscriptions/channels/${channel.id}`,
      { method: "PUT", token: owner.token },
    );
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body.errors).toEqual([
      { field: "id", detail: "this is your own channel: you cannot subscribe to it" },
    ]);
    expect((await api(`/api/channels/${channel.id}/subscribers/count`)).body).toMatchObject({
      count: 0,
    });
    const mine = await api<{ items: { target: { id: string } }[] }>("/api/me/subscriptions", {
      token: owner.token,
    });
    expect(mine.body.items.map((i) => i.target.id)).not.toContain(channel.id);
    // Someone else subscribes as before, and sees the channel named in their list.
    expect(
      (
        await api(`/api/subscriptions/channels/${channel.id}`, {
          method: "PUT",
          token: other.token,
        })
      ).status,
    ).toBe(201);
    const theirs = await api<{ items: unknown[] }>("/api/me/subscriptions", { token: other.token });
    expect(theirs.body.items).toContainEqual({
      target: { kind: "channel", id: channel.id },
      createdAt: expect.any(String),
      channel: { slug: channel.slug, title: channel.title },
    });
  });

  it("keeps each user's subscriptions to themselves (403), and asks who is asking (401)", async () => {
    expect((await api(`/api/users/${owner.id}/subscriptions`, { token: other.token })).status).toBe(
      403,
    );
    expect((await api(`/api/users/${owner.id}/subscriptions`, { token: owner.token })).status).toBe(
      200,
    );
    expect((await api("/api/subscriptions/events/evt_x", { method: "PUT" })).status).toBe(401);
  });
});
