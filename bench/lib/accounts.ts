// Accounts a benchmark signs up, deleted when it ends (in its finally), so `npm run bench`
// leaves nothing a visitor sees: deleting an account erases its channels and events everywhere
// (user.deleted), the home page's list and search included.
import { api, newUser, type TestUser } from "@stream-platform/shared/testing";

const made: TestUser[] = [];

/** A new signed-in account that deleteBenchAccounts removes. */
export async function benchUser(name: string): Promise<TestUser> {
  const user = await newUser(name);
  made.push(user);
  return user;
}

/**
 * `count` new signed-in accounts that deleteBenchAccounts removes, a few at a time. Sign-ups
 * from one address are limited (a burst, then a few a second): this waits the limit out rather
 * than failing, so a few hundred take a minute or two; `progress` hears of each one made.
 */
export async function benchUsers(
  count: number,
  name: string,
  progress?: (done: number) => void,
): Promise<TestUser[]> {
  const users: TestUser[] = [];
  const one = async (): Promise<TestUser> => {
    const user = await newUser(name, { patient: true });
    made.push(user);
    return user;
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(4, count) }, async () => {
      while (next < count) {
        next += 1;
        users.push(await one());
        progress?.(users.length);
      }
    }),
  );
  return users;
}

/** Deletes every account benchUser made; a failure is reported, not thrown (it is clean-up). */
export async function deleteBenchAccounts(): Promise<void> {
  for (const user of made.splice(0)) {
    const answer = await api("/api/me", {
      method: "DELETE",
      token: user.token,
      body: { password: user.password },
    }).catch((error: unknown) => ({ status: String(error) }));
    if (answer.status !== 204)
      console.error(`could not delete the bench account ${user.email}: ${answer.status}`);
  }
}
