// The HTTP API (through the edge: /api/users, /api/sessions, /api/me…, /api/channels…,
// /api/subscriptions…). Every write checks who is asking.
import {
  clearedSessionCookies,
  clientAddress,
  conflict,
  forbidden,
  HttpProblem,
  hashPassword,
  notFound,
  parseInput,
  RateLimiter,
  Router,
  requireSession,
  sessionCookies,
  signSession,
  verifyNothing,
  verifyPassword,
} from "@stream-platform/shared";
import {
  createChannelBody,
  deleteAccountBody,
  eventId,
  signInBody,
  signUpBody,
  uuid,
} from "./schemas.ts";
import { type Channel, type Store, type Target, uniqueViolation } from "./store.ts";
import { decryptStreamKey } from "./stream-keys.ts";

// 20 a second with bursts of 100 from one address; 10 a minute (bursts of 10) for one account.
const signInsByAddress = new RateLimiter(20, 100);
const signInsByAccount = new RateLimiter(1 / 6, 10);
// Deleting an account checks its password: no faster guessing there than at sign-in.
const passwordChecksByAccount = new RateLimiter(1 / 6, 10);

export function routes(store: Store): Router {
  const router = new Router();

  async function ownedChannel(userId: string, id: string): Promise<Channel> {
    const channel = await store.channel(parseInput(uuid, id, "id"));
    if (!channel) throw notFound(`no channel ${id}`);
    if (channel.ownerId !== userId) throw forbidden("only the channel's owner may do this");
    return channel;
  }

  function target(kind: string, id: string): Target {
    return kind === "channels"
      ? { kind: "channel", id: parseInput(uuid, id, "id") }
      : { kind: "event", id: parseInput(eventId, id, "id") };
  }

  router.on("POST", "/api/users", async ({ req }) => {
    const input = parseInput(signUpBody, req.body);
    try {
      const user = await store.createUser(input, await hashPassword(input.password));
      return { status: 201, body: user, headers: { location: `/api/users/${user.id}` } };
    } catch (error) {
      if (uniqueViolation(error)) throw conflict("an account with this email exists", "email");
      throw error;
    }
  });

  router.on("POST", "/api/sessions", async ({ req }) => {
    // Password guessing: bounded per address, and per account whoever guesses.
    signInsByAddress.check(clientAddress(req), "sign-in attempts from this address");
    const input = parseInput(signInBody, req.body);
    signInsByAccount.check(input.email.toLowerCase(), "sign-in attempts for this account");
    const account = await store.credentials(input.email);
    // Same answer, and about the same time, whether the email or the password was wrong.
    const valid = account
      ? await verifyPassword(input.password, account.passwordHash)
      : await verifyNothing(input.password);
    if (!account || !valid)
      throw new HttpProblem({
        status: 401,
        title: "Sign-in failed",
        detail: "wrong email or password",
      });
    const token = await signSession(account.id);
    // The token for API clients, and the same as an HttpOnly cookie for the browser app.
    return {
      status: 200,
      body: { token, userId: account.id },
      headers: { "set-cookie": sessionCookies(req, token) },
    };
  });

  // Signing out ends the browser's session (a bearer token simply stops being sent).
  router.on("DELETE", "/api/sessions", ({ req }) => ({
    status: 204,
    headers: { "set-cookie": clearedSessionCookies(req) },
  }));

  router.on("GET", "/api/me", async ({ req }) => {
    const { userId } = await requireSession(req);
    const user = await store.user(userId);
    if (!user)
      throw new HttpProblem({
        status: 401,
        title: "Not signed in",
        detail: "this account no longer exists",
      });
    return { status: 200, body: user };
  });

  // The account, its channels and subscriptions go; its session tokens are refused from now on
  // (shared/src/auth/accounts.ts), and the browser's cookies are cleared.
  router.on("DELETE", "/api/me", async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(deleteAccountBody, req.body);
    passwordChecksByAccount.check(userId, "password checks for this account");
    const hash = await store.passwordHashOf(userId);
    if (!hash || !(await verifyPassword(input.password, hash)))
      throw new HttpProblem({
        status: 403,
        title: "Password required",
        detail: "the password does not match this account",
        errors: [{ field: "password", detail: "does not match" }],
      });
    await store.deleteUser(userId);
    return { status: 204, headers: { "set-cookie": clearedSessionCookies(req) } };
  });

  router.on("POST", "/api/channels", async ({ req }) => {
    const { userId } = await requireSession(req);
    const input = parseInput(createChannelBody, req.body);
    try {
      const { channel, streamKey } = await store.createChannel(userId, input);
      return {
        status: 201,
        body: { ...channel, streamKey },
        headers: { location: `/api/channels/${channel.id}` },
      };
    } catch (error) {
      if (uniqueViolation(error) === "channels_slug")
        throw conflict(`the slug "${input.slug}" is taken`, "slug");
      throw error;
    }
  });

  router.on("GET", "/api/me/channels", async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: { items: await store.channelsOf(userId) } };
  });

  router.on("GET", "/api/channels/:idOrSlug", async ({ params }) => {
    const channel = await store.channel(params.idOrSlug ?? "");
    if (!channel) throw notFound(`no channel ${params.idOrSlug}`);
    return { status: 200, body: channel };
  });

  router.on("GET", "/api/channels/:id/stream-key", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const channel = await ownedChannel(userId, params.id ?? "");
    const encrypted = await store.encryptedStreamKey(channel.id);
    return { status: 200, body: { streamKey: encrypted ? decryptStreamKey(encrypted) : null } };
  });

  router.on("POST", "/api/channels/:id/stream-key", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const channel = await ownedChannel(userId, params.id ?? "");
    return { status: 200, body: { streamKey: await store.rotateStreamKey(channel.id) } };
  });

  router.on("GET", "/api/channels/:id/subscribers/count", async ({ params }) => {
    const channel = await store.channel(parseInput(uuid, params.id, "id"));
    if (!channel) throw notFound(`no channel ${params.id}`);
    return {
      status: 200,
      body: { channelId: channel.id, count: await store.subscriberCount(channel.id) },
    };
  });

  for (const kind of ["channels", "events"]) {
    router.on("PUT", `/api/subscriptions/${kind}/:id`, async ({ req, params }) => {
      const { userId } = await requireSession(req);
      const wanted = target(kind, params.id ?? "");
      if (wanted.kind === "channel" && !(await store.channel(wanted.id)))
        throw notFound(`no channel ${wanted.id}`);
      const created = await store.subscribe(userId, wanted);
      return { status: created ? 201 : 200, body: { target: wanted, subscribed: true } };
    });
    router.on("DELETE", `/api/subscriptions/${kind}/:id`, async ({ req, params }) => {
      const { userId } = await requireSession(req);
      await store.unsubscribe(userId, target(kind, params.id ?? ""));
      return { status: 204 };
    });
  }

  router.on("GET", "/api/me/subscriptions", async ({ req }) => {
    const { userId } = await requireSession(req);
    return { status: 200, body: { items: await store.subscriptionsOf(userId) } };
  });

  router.on("GET", "/api/users/:id/subscriptions", async ({ req, params }) => {
    const { userId } = await requireSession(req);
    if (parseInput(uuid, params.id, "id") !== userId)
      throw forbidden("you can only see your own subscriptions");
    return { status: 200, body: { items: await store.subscriptionsOf(userId) } };
  });

  return router;
}
