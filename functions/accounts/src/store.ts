// Everything the accounts function keeps, in PostgreSQL. Writes that other functions must
// hear about put their CloudEvent in the outbox in the same transaction.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createEvent } from "@stream-platform/shared";
import type { Channel, Role, Subscription, User } from "@stream-platform/shared/api";
import {
  enqueue,
  inTransaction,
  type Pool,
  type PoolClient,
} from "@stream-platform/shared/postgres";
import type { CreateChannel, SignUp } from "./schemas.ts";
import { encryptStreamKey, hashStreamKey, newStreamKey } from "./stream-keys.ts";

const SOURCE = "/functions/accounts";

export type { Channel, User } from "@stream-platform/shared/api";

export type Target = Subscription["target"];

/** What a link mailed to the account's address lets its reader do. */
export type EmailPurpose = "reset" | "verify";

const tokenHash = (token: string) => createHash("sha256").update(token).digest();

const userColumns = "id, email, display_name, created_at, email_verified_at, roles";

function toUser(row: Record<string, unknown>): User {
  return {
    id: row.id as string,
    email: row.email as string,
    displayName: row.display_name as string,
    createdAt: (row.created_at as Date).toISOString(),
    emailVerified: row.email_verified_at !== null,
    roles: row.roles as Role[],
  };
}

const channelColumns = "id, owner_id, slug, title, description, created_at";

function toChannel(row: Record<string, unknown>): Channel {
  return {
    id: row.id as string,
    ownerId: row.owner_id as string,
    slug: row.slug as string,
    title: row.title as string,
    description: row.description as string,
    createdAt: (row.created_at as Date).toISOString(),
  };
}

/** PostgreSQL's unique_violation, and which index it hit. */
export function uniqueViolation(error: unknown): string | undefined {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === "23505" ? (pgError.constraint ?? "unique") : undefined;
}

export class Store {
  constructor(readonly pool: Pool) {}

  async createUser(input: SignUp, passwordHash: string): Promise<User> {
    const { rows } = await this.pool.query(
      `insert into users (id, email, display_name, password_hash) values ($1, $2, $3, $4) returning ${userColumns}`,
      [randomUUID(), input.email, input.displayName, passwordHash],
    );
    return toUser(rows[0]);
  }

  async userByEmail(email: string): Promise<User | undefined> {
    const { rows } = await this.pool.query(
      `select ${userColumns} from users where lower(email) = lower($1)`,
      [email],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /**
   * A new single-use token for a link mailed to the account, valid for `ttlSeconds`: the token
   * goes into the link, only its hash into the table.
   */
  async createEmailToken(userId: string, purpose: EmailPurpose, ttlSeconds: number) {
    const token = randomBytes(32).toString("base64url");
    await this.pool.query(
      "insert into email_tokens (token_hash, user_id, purpose, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))",
      [tokenHash(token), userId, purpose, ttlSeconds],
    );
    return token;
  }

  /** The account a token belongs to while it is unused and unexpired (it stays unused). */
  async emailTokenOwner(token: string, purpose: EmailPurpose): Promise<User | undefined> {
    const { rows } = await this.pool.query(
      `select ${userColumns} from users where id = (select user_id from email_tokens
       where token_hash = $1 and purpose = $2 and expires_at > now())`,
      [tokenHash(token), purpose],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /**
   * Uses up a token (deleted whether or not it had expired); its account's id, or undefined
   * when it was unknown, used (by a concurrent request too) or expired.
   */
  private async useEmailToken(client: PoolClient, token: string, purpose: EmailPurpose) {
    const { rows } = await client.query(
      "delete from email_tokens where token_hash = $1 and purpose = $2 returning user_id, expires_at > now() as valid",
      [tokenHash(token), purpose],
    );
    return rows[0]?.valid ? (rows[0].user_id as string) : undefined;
  }

  /**
   * A password reset: the token used up, the new password set, every session of the account
   * ended and its other reset links void. Reading the mail proved the address, so it is
   * verified too. False when the token was not (or no longer) valid.
   */
  async resetPassword(token: string, passwordHash: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const userId = await this.useEmailToken(client, token, "reset");
      if (!userId) return false;
      await client.query(
        "update users set password_hash = $2, email_verified_at = coalesce(email_verified_at, now()) where id = $1",
        [userId, passwordHash],
      );
      await client.query("delete from sessions where user_id = $1", [userId]);
      await client.query("delete from email_tokens where user_id = $1 and purpose = 'reset'", [
        userId,
      ]);
      return true;
    });
  }

  /** Marks the address of the token's account verified; false when the token was not valid. */
  async verifyEmail(token: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const userId = await this.useEmailToken(client, token, "verify");
      if (!userId) return false;
      await client.query(
        "update users set email_verified_at = coalesce(email_verified_at, now()) where id = $1",
        [userId],
      );
      await client.query("delete from email_tokens where user_id = $1 and purpose = 'verify'", [
        userId,
      ]);
      return true;
    });
  }

  /** Voids the account's unused links of one purpose (a password changed: old reset links). */
  async dropEmailTokens(userId: string, purpose: EmailPurpose): Promise<void> {
    await this.pool.query("delete from email_tokens where user_id = $1 and purpose = $2", [
      userId,
      purpose,
    ]);
  }

  async credentials(
    email: string,
  ): Promise<{ id: string; passwordHash: string; signUpAttemptedAt?: string } | undefined> {
    const { rows } = await this.pool.query(
      "select id, password_hash, signup_attempted_at from users where lower(email) = lower($1)",
      [email],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          passwordHash: row.password_hash,
          ...(row.signup_attempted_at && {
            signUpAttemptedAt: row.signup_attempted_at.toISOString(),
          }),
        }
      : undefined;
  }

  /** Someone tried to sign up with this account's email (its owner hears at sign-in). */
  async noteSignUpAttempt(email: string): Promise<void> {
    await this.pool.query(
      "update users set signup_attempted_at = now() where lower(email) = lower($1)",
      [email],
    );
  }

  async clearSignUpAttempt(userId: string): Promise<void> {
    await this.pool.query("update users set signup_attempted_at = null where id = $1", [userId]);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.pool.query("update users set password_hash = $2 where id = $1", [
      userId,
      passwordHash,
    ]);
  }

  /** A new session (a sign-in) of the account; its id goes into the session token. */
  async createSession(userId: string, userAgent: string, address: string): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      "insert into sessions (id, user_id, user_agent, address) values ($1, $2, $3, $4)",
      [id, userId, userAgent.slice(0, 300), address],
    );
    return id;
  }

  async sessionExists(userId: string, sessionId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "select 1 from sessions where id = $1 and user_id = $2",
      [sessionId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The account's sessions, newest first. */
  async sessionsOf(
    userId: string,
  ): Promise<{ id: string; createdAt: string; userAgent: string; address: string }[]> {
    const { rows } = await this.pool.query(
      "select id, created_at, user_agent, address from sessions where user_id = $1 order by created_at desc, id",
      [userId],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      userAgent: row.user_agent,
      address: row.address,
    }));
  }

  /** Ends one session; true when it was there. */
  async endSession(userId: string, sessionId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "delete from sessions where id = $1 and user_id = $2",
      [sessionId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Ends every session of the account, but `keep` if given; how many ended. */
  async endSessions(userId: string, keep?: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      "delete from sessions where user_id = $1 and id is distinct from $2::uuid",
      [userId, keep ?? null],
    );
    return rowCount ?? 0;
  }

  async passwordHashOf(userId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query("select password_hash from users where id = $1", [
      userId,
    ]);
    return rows[0]?.password_hash;
  }

  /**
   * Deletes the account with its channels (their keys) and subscriptions (foreign keys cascade),
   * and tells every other function to forget the person (user.deleted, same transaction).
   */
  async deleteUser(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query("select id from channels where owner_id = $1", [id]);
      const { rowCount } = await client.query("delete from users where id = $1", [id]);
      if ((rowCount ?? 0) === 0) return false;
      await enqueue(client, [
        createEvent({
          type: "streamplatform.user.deleted",
          source: SOURCE,
          subject: id,
          data: {
            userId: id,
            channelIds: rows.map((row) => row.id as string),
            deletedAt: new Date().toISOString(),
          },
        }),
      ]);
      return true;
    });
  }

  async user(id: string): Promise<User | undefined> {
    const { rows } = await this.pool.query(`select ${userColumns} from users where id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** Grants or takes back a role; the account as it is now, or undefined if none has `email`. */
  async setRole(email: string, role: Role, held: boolean): Promise<User | undefined> {
    const roles = held
      ? "array(select distinct r from unnest(array_append(roles, $2::text)) r order by r)"
      : "array_remove(roles, $2::text)";
    const { rows } = await this.pool.query(
      `update users set roles = ${roles} where lower(email) = lower($1) returning ${userColumns}`,
      [email, role],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** The accounts holding `role`, by address. */
  async holders(role: Role): Promise<User[]> {
    const { rows } = await this.pool.query(
      `select ${userColumns} from users where $1 = any(roles) order by lower(email)`,
      [role],
    );
    return rows.map(toUser);
  }

  /** Creates the channel and returns it with its first stream key (shown to the owner once here). */
  async createChannel(
    ownerId: string,
    input: CreateChannel,
  ): Promise<{ channel: Channel; streamKey: string }> {
    const streamKey = newStreamKey();
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query(
        `insert into channels (id, owner_id, slug, title, description, stream_key_hash, stream_key_encrypted)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${channelColumns}`,
        [
          randomUUID(),
          ownerId,
          input.slug,
          input.title,
          input.description,
          hashStreamKey(streamKey),
          encryptStreamKey(streamKey),
        ],
      );
      const channel = toChannel(rows[0]);
      await enqueue(client, [
        createEvent({
          type: "streamplatform.channel.created",
          source: SOURCE,
          subject: channel.id,
          data: { channelId: channel.id, ownerId, slug: channel.slug, title: channel.title },
        }),
      ]);
      return { channel, streamKey };
    });
  }

  async channel(idOrSlug: string): Promise<Channel | undefined> {
    // Only a well-formed UUID is looked up as an id: PostgreSQL refuses any other 36 characters.
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
    const { rows } = await this.pool.query(
      `select ${channelColumns} from channels where ${byId ? "id" : "slug"} = $1`,
      [idOrSlug],
    );
    return rows[0] ? toChannel(rows[0]) : undefined;
  }

  /** A person's channels, oldest first (never their keys). */
  async channelsOf(ownerId: string): Promise<Channel[]> {
    const { rows } = await this.pool.query(
      `select ${channelColumns} from channels where owner_id = $1 order by created_at, id`,
      [ownerId],
    );
    return rows.map(toChannel);
  }

  async encryptedStreamKey(channelId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query(
      "select stream_key_encrypted from channels where id = $1",
      [channelId],
    );
    return rows[0]?.stream_key_encrypted;
  }

  /**
   * A new key; the old one stops authorizing at once, and channel.key-rotated tells stream-server
   * to cut a live publish that still uses it.
   */
  async rotateStreamKey(channelId: string): Promise<string> {
    const streamKey = newStreamKey();
    return inTransaction(this.pool, async (client) => {
      await client.query(
        "update channels set stream_key_hash = $2, stream_key_encrypted = $3 where id = $1",
        [channelId, hashStreamKey(streamKey), encryptStreamKey(streamKey)],
      );
      await enqueue(client, [
        createEvent({
          type: "streamplatform.channel.key-rotated",
          source: SOURCE,
          subject: channelId,
          data: { channelId, rotatedAt: new Date().toISOString() },
        }),
      ]);
      return streamKey;
    });
  }

  async channelByStreamKey(streamKey: string): Promise<Channel | undefined> {
    const { rows } = await this.pool.query(
      `select ${channelColumns} from channels where stream_key_hash = $1`,
      [hashStreamKey(streamKey)],
    );
    return rows[0] ? toChannel(rows[0]) : undefined;
  }

  /** Idempotent: true when the subscription is new (and subscription.created was emitted). */
  async subscribe(userId: string, target: Target): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const column = target.kind === "channel" ? "channel_id" : "event_id";
      const { rowCount } = await client.query(
        `insert into subscriptions (user_id, ${column}) values ($1, $2) on conflict (user_id, ${column}) where ${column} is not null do nothing`,
        [userId, target.id],
      );
      if (rowCount === 0) return false;
      await this.emitSubscription(client, "streamplatform.subscription.created", userId, target);
      return true;
    });
  }

  /** Idempotent: true when there was a subscription to remove. */
  async unsubscribe(userId: string, target: Target): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const column = target.kind === "channel" ? "channel_id" : "event_id";
      const { rowCount } = await client.query(
        `delete from subscriptions where user_id = $1 and ${column} = $2`,
        [userId, target.id],
      );
      if (rowCount === 0) return false;
      await this.emitSubscription(client, "streamplatform.subscription.deleted", userId, target);
      return true;
    });
  }

  private async emitSubscription(
    client: PoolClient,
    type: "streamplatform.subscription.created" | "streamplatform.subscription.deleted",
    userId: string,
    target: Target,
  ): Promise<void> {
    await enqueue(client, [
      createEvent({
        type,
        source: SOURCE,
        // One user's subscribe and unsubscribe of one target stay in order.
        subject: `${target.kind}:${target.id}:${userId}`,
        data: { userId, target },
      }),
    ]);
  }

  /** A person's subscriptions, newest first; a channel's with its slug and title (for links). */
  async subscriptionsOf(userId: string): Promise<Subscription[]> {
    const { rows } = await this.pool.query(
      `select s.channel_id, s.event_id, s.created_at, c.slug, c.title from subscriptions s
       left join channels c on c.id = s.channel_id where s.user_id = $1 order by s.created_at desc`,
      [userId],
    );
    return rows.map((row) =>
      row.channel_id
        ? {
            target: { kind: "channel", id: row.channel_id },
            createdAt: row.created_at.toISOString(),
            channel: { slug: row.slug, title: row.title },
          }
        : { target: { kind: "event", id: row.event_id }, createdAt: row.created_at.toISOString() },
    );
  }

  async subscriberCount(channelId: string): Promise<number> {
    const { rows } = await this.pool.query(
      "select count(*)::int as n from subscriptions where channel_id = $1",
      [channelId],
    );
    return rows[0].n;
  }

  /**
   * Subscriber ids of one target in ascending order, a page at a time (keyset pagination on
   * the (target, user_id) index): memory stays at one page whatever the total.
   */
  async *subscriberPages(target: Target, pageSize = 1000): AsyncGenerator<string[]> {
    const column = target.kind === "channel" ? "channel_id" : "event_id";
    const page = async (after?: string) =>
      (
        await this.pool.query<{ user_id: string }>(
          `select user_id from subscriptions where ${column} = $1 ${after ? "and user_id > $3" : ""} order by user_id limit $2`,
          after ? [target.id, pageSize, after] : [target.id, pageSize],
        )
      ).rows.map((row) => row.user_id);
    let current = await page();
    while (current.length > 0) {
      // The next page is read while this one is sent: at most two pages in memory.
      const next =
        current.length === pageSize ? page(current[current.length - 1]) : Promise.resolve([]);
      // If the caller stops early, a failed read ahead must not become an unhandled rejection.
      next.catch(() => undefined);
      yield current;
      current = await next;
    }
  }
}
