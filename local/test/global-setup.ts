// The servers are provisioned and started by `npm test`'s pretest step (local/src/cli.ts up).
// Here we only make sure they answer, so a direct `npx vitest` says what is missing.
import { status } from "../src/infra.ts";
import { localSecret } from "../src/servers/platform.ts";

export default async function checkServers(): Promise<void> {
  // Tests call gRPC servers and sinks as platform functions do: with the internal token.
  process.env.INTERNAL_TOKEN ??= localSecret("internal-token");
  const { servers } = await status();
  const down = servers.filter((row) => row.state === "down");
  if (down.length > 0) {
    throw new Error(
      `servers not running: ${down.map((row) => `${row.name} ${row.version}`).join("; ")}\n` +
        "start them with `npm run infra -- up` (npm test does this itself)",
    );
  }
}
