// FerretDB: the MongoDB wire protocol on PostgreSQL. Code talks to it with the official
// `mongodb` driver only, so a real MongoDB is a drop-in (MONGODB_URL) anywhere else.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { externalServers, LOCAL_HOST, localPorts, serviceUrls } from "@stream-platform/shared";
import { MongoClient } from "mongodb";
import { dataDir } from "../paths.ts";
import { startDaemon } from "../proc.ts";
import { goBuild } from "../provision/go.ts";
import type { Probe, Server } from "./types.ts";

const MODULE = "github.com/FerretDB/FerretDB";

export const FERRETDB_VERSION = "v1.24.2";

/** What FerretDB's release tooling writes before a build (its `bin/task gen-version`). */
const build = () =>
  goBuild("mongodb", MODULE, FERRETDB_VERSION, "cmd/ferretdb", {
    "build/version/version.txt": `${FERRETDB_VERSION}\n`,
  });

function backendUrl(): string {
  const url = new URL(serviceUrls().databaseUrl);
  url.pathname = "/ferretdb";
  return url.toString();
}

export const ferretdb: Server = {
  name: "mongodb",
  title: "FerretDB (MongoDB wire protocol)",
  dependsOn: ["postgres"],
  startupTimeoutSeconds: 30,
  address: () => serviceUrls().mongodbUrl,
  port: () => localPorts().mongodb,
  portVariable: "MONGODB_PORT",
  external: () => externalServers().mongodb,

  async provision() {
    await build();
  },

  async start() {
    const binary = await build();
    const state = join(dataDir, "ferretdb");
    mkdirSync(state, { recursive: true });
    startDaemon({
      name: "mongodb",
      command: binary,
      args: [
        "--handler=postgresql",
        `--postgresql-url=${backendUrl()}`,
        `--listen-addr=${LOCAL_HOST}:${localPorts().mongodb}`,
        `--state-dir=${state}`,
        "--debug-addr=-",
        // The default ("undecided") tries to reach a public beacon.
        "--telemetry=disable",
        "--log-level=warn",
      ],
    });
  },

  async probe(): Promise<Probe> {
    const client = new MongoClient(serviceUrls().mongodbUrl, {
      serverSelectionTimeoutMS: 2000,
      connectTimeoutMS: 2000,
    });
    try {
      const info = await client.db("admin").command({ buildInfo: 1 });
      const version = info.ferretdbVersion
        ? `FerretDB ${info.ferretdbVersion} (MongoDB ${info.version})`
        : `MongoDB ${info.version}`;
      return { up: true, version };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    } finally {
      await client.close();
    }
  },
};
