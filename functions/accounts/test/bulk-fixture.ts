// Many subscribers at database speed, for the ListSubscribers test and benchmark: `count`
// people following a channel; the last `eventOverlap` of them (and `eventOnly` others) also
// following an event. Users are tagged by email so `removeBulk` finds them again.
import type pg from "pg";

export interface BulkOptions {
  tag: string;
  channelId: string;
  count: number;
  eventId?: string;
  eventOverlap?: number;
  eventOnly?: number;
}

export async function insertBulk(db: pg.Client, options: BulkOptions): Promise<void> {
  const { tag, channelId, count, eventId, eventOverlap = 0, eventOnly = 0 } = options;
  await db.query(
    `insert into users (id, email, display_name, password_hash)
     select gen_random_uuid(), 'bulk-' || $1 || '-' || g || '@example.org', 'bulk', 'x' from generate_series(1, $2) g`,
    [tag, count + eventOnly],
  );
  // Fresh statistics, or the foreign-key checks below plan a scan of users per row.
  await db.query("analyze users");
  const number = "split_part(split_part(email, '-', 3), '@', 1)::int";
  await db.query(
    `insert into subscriptions (user_id, channel_id)
     select id, $2 from users where email like 'bulk-' || $1 || '-%' and ${number} <= $3`,
    [tag, channelId, count],
  );
  if (eventId) {
    await db.query(
      `insert into subscriptions (user_id, event_id)
       select id, $2 from users where email like 'bulk-' || $1 || '-%' and ${number} > $3`,
      [tag, eventId, count - eventOverlap],
    );
  }
  await db.query("analyze subscriptions");
}

export async function removeBulk(db: pg.Client, tag: string): Promise<void> {
  await db.query("delete from users where email like 'bulk-' || $1 || '-%'", [tag]);
}

/**
 * `count` accounts tagged `tag`, each with one session row (what a sign-in makes), at database
 * speed: for load that needs real sessions without `count` Argon2 sign-ups. `removeBulk` removes
 * them (sessions cascade).
 */
export async function insertSignedIn(
  db: pg.Client,
  tag: string,
  count: number,
): Promise<{ userId: string; sessionId: string }[]> {
  const { rows } = await db.query(
    `with made as (
       insert into users (id, email, display_name, password_hash)
       select gen_random_uuid(), 'bulk-' || $1 || '-' || g || '@example.org', 'bulk', 'x'
       from generate_series(1, $2) g returning id)
     insert into sessions (id, user_id) select gen_random_uuid(), id from made
     returning id, user_id`,
    [tag, count],
  );
  return rows.map((row) => ({ userId: row.user_id, sessionId: row.id }));
}
