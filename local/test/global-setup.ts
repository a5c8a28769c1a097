// The servers are provisioned and started by `npm test`'s pretest step (local/src/cli.ts up).
// Here we only make sure they answer, so a direct `npx vitest` says what is missing.
import { status } from "../src/infra.ts";

export default async function checkServers(): Promise<void> {
  const { servers } = await status();
  const down = servers.filter((row) => row.state === "down");
  if (down.length > 0) {
    throw new Error(
      `servers not running: ${down.map((row) => `${row.name} ${row.version}`).join("; ")}\n` +
        "start them with `npm run infra -- up` (npm test does this itself)",
    );
  }
}
