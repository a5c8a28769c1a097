// `npm run operator -- grant|revoke EMAIL`, `npm run operator -- list`: who holds the operator
// role (the operator console, functions/ops). Roles are never granted through the API: whoever
// runs this can reach the accounts' database (DATABASE_URL; locally, the one local/ started).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEnvFileIfPresent } from "@stream-platform/shared/env-file";
import { createPool, migrate } from "@stream-platform/shared/postgres";
import { Store } from "./store.ts";

const here = dirname(fileURLToPath(import.meta.url));
// The function's own settings, then local/'s (the ports of the database it started).
loadEnvFileIfPresent(join(here, "..", ".env"));
loadEnvFileIfPresent(join(here, "..", "..", "..", "local", ".env"));

const usage = `usage: npm run operator -- <command>

  grant EMAIL [--unverified]   give the account with this address the operator role
  revoke EMAIL                 take it back
  list                         the accounts that hold it

The account must exist (sign up first), with its address verified (the link mailed at sign-up):
otherwise whoever signed up first with an operator's address would get the role. --unverified
grants it anyway (a local platform, tests). Its sessions see the change at once.`;

async function main(args: string[]): Promise<number> {
  const unverified = args.includes("--unverified");
  const [command, email] = args.filter((arg) => !arg.startsWith("--"));
  if (command !== "list" && !((command === "grant" || command === "revoke") && email)) {
    console.error(usage);
    return 2;
  }
  const pool = createPool(undefined, 1);
  try {
    await migrate(pool, join(here, "..", "migrations"));
    const store = new Store(pool);
    if (command === "list") {
      const holders = await store.holders("operator");
      console.log(holders.map((user) => user.email).join("\n") || "(no operators)");
      return 0;
    }
    const account = await store.userByEmail(email as string);
    if (!account) {
      console.error(`no account has the address ${email}: sign up first`);
      return 1;
    }
    if (command === "grant" && !account.emailVerified && !unverified) {
      console.error(
        `${account.email} is not verified: open the link mailed to it first (or grant with --unverified)`,
      );
      return 1;
    }
    const user = (await store.setRole(account.email, "operator", command === "grant")) ?? account;
    console.log(`${user.email}: ${user.roles.length ? user.roles.join(", ") : "no roles"}`);
    return 0;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`operator: ${error.message}`);
    process.exit(1);
  },
);
