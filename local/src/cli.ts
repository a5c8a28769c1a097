// `npm run infra -- <command>`: the one command that drives the local servers.
import "./env-file.ts";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { localPorts, serviceUrls } from "@stream-platform/shared";
import { InfraError } from "./errors.ts";
import { down, findServers, type StatusRow, status, up } from "./infra.ts";
import { logFile } from "./paths.ts";
import { tailLog } from "./proc.ts";
import { columns, welcomeText } from "./report.ts";

const usage = `usage: npm run infra -- <command>

  up [NAME…]        provision and start the servers (all, or NAME and what it needs)
  down [NAME…]      stop them
  status            each server with state, version and address; exits 1 if any is down
  logs NAME [-f]    the end of a server's log (-f follows it)

servers: postgres, kafka, mongodb (FerretDB), elasticsearch, mailpit, jaeger (traces),
victoria-metrics (metrics), platform, nginx, stream-server
A server whose URL is set in the environment (DATABASE_URL, KAFKA_BROKERS, MONGODB_URL,
ELASTICSEARCH_URL) is used as it is and never provisioned.`;

function table(rows: StatusRow[]): string {
  return columns(
    rows.map((r) => [r.name, r.state, r.version, r.address]),
    4,
  );
}

async function printStatus(): Promise<boolean> {
  const result = await status();
  const rows = [...result.servers, ...result.tools];
  console.log(table(rows));
  return rows.every((row) => row.state !== "down");
}

/** What `npm start` ends with: where everything listens. */
async function printWelcome(): Promise<void> {
  const { edgeUrl } = serviceUrls();
  const platformStatus = (await fetch(`http://127.0.0.1:${localPorts().platform}/`).then((r) =>
    r.json(),
  )) as {
    services: { name: string; url: string; state: string }[];
  };
  console.log(
    `\n${welcomeText({ edgeUrl, rtmpPort: localPorts().rtmp, services: platformStatus.services })}\n`,
  );
  await printStatus();
  console.log("\nLogs: npm run infra -- logs NAME    Stop: npm run infra -- down");
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const names = rest.filter((arg) => !arg.startsWith("-"));
  switch (command) {
    case "up": {
      await up(names);
      if (rest.includes("--print-urls")) await printWelcome();
      return 0;
    }
    case "down":
      await down(names);
      return 0;
    case "status":
      return (await printStatus()) ? 0 : 1;
    case "logs": {
      const [name] = names;
      if (!name) throw new InfraError("logs", "which server?", "npm run infra -- logs NAME");
      findServers([name]);
      if (!existsSync(logFile(name))) {
        console.log(`(no log for ${name} yet: ${logFile(name)})`);
        return 0;
      }
      if (rest.includes("-f") || rest.includes("--follow")) {
        const tail = spawn("tail", ["-n", "50", "-F", logFile(name)], { stdio: "inherit" });
        return new Promise((resolve) => tail.on("close", (code) => resolve(code ?? 0)));
      }
      console.log(tailLog(name, 100));
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InfraError) {
      console.error(`\n${error.describe()}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
