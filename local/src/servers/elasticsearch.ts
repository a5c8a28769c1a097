// Elasticsearch 8 from Maven Central: the distribution Elastic publishes there
// (`org.elasticsearch.distribution.integ-test-zip`), plus our small module
// (local/elasticsearch/StreamPlatformPlugin.java) for the parts that distribution leaves out
// (the root endpoint, the english analyzer, edge_ngram). Single node, security off, loopback.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { externalServers, LOCAL_HOST, localPorts, serviceUrls } from "@stream-platform/shared";
import { type Account, giveTo, serverAccount, serverDataDir } from "../accounts.ts";
import { cacheDir, repoRoot } from "../paths.ts";
import { commandExists, run, startDaemon } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import { ensureJava } from "../provision/maven.ts";
import { progress, withHeartbeat } from "../report.ts";
import type { Probe, Server } from "./types.ts";

export const ELASTICSEARCH_VERSION = "8.19.21";
const DISTRIBUTION = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ELASTICSEARCH_VERSION}:zip`;
const pluginSource = join(repoRoot, "local", "elasticsearch", "StreamPlatformPlugin.java");

const esHome = join(cacheDir, `elasticsearch-${ELASTICSEARCH_VERSION}`);
const pluginDir = join(esHome, "modules", "streamplatform");

// Elasticsearch refuses to run as root.
const account = (): Account | undefined => serverAccount("elasticsearch", "elasticsearch");

function javaHome(): string {
  const preferred = "/usr/lib/jvm/java-17-openjdk-amd64";
  if (existsSync(join(preferred, "bin", "java"))) return preferred;
  return join(realpathSync("/usr/bin/java"), "..", "..");
}

async function ensureDistribution(): Promise<void> {
  if (existsSync(join(esHome, "bin", "elasticsearch"))) return;
  await ensureJava("elasticsearch");
  await ensureDebianPackages("elasticsearch", ["unzip"]);
  const download = join(cacheDir, "downloads");
  mkdirSync(download, { recursive: true });
  progress("elasticsearch", `downloading ${DISTRIBUTION} from Maven Central (about 110 MB) …`);
  await withHeartbeat(
    "elasticsearch",
    "downloading",
    run(
      "mvn",
      [
        "-B",
        "-ntp",
        "dependency:copy",
        `-Dartifact=${DISTRIBUTION}`,
        `-DoutputDirectory=${download}`,
      ],
      {
        server: "elasticsearch",
        fix: "check that Maven Central is reachable (mvn -v; ~/.m2/settings.xml), then run the command again",
      },
    ),
  );
  const zip = join(download, `elasticsearch-${ELASTICSEARCH_VERSION}.zip`);
  const staging = `${esHome}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await run("unzip", ["-q", zip, "-d", staging], {
    server: "elasticsearch",
    fix: `remove ${zip} and try again`,
  });
  rmSync(esHome, { recursive: true, force: true });
  cpSync(join(staging, `elasticsearch-${ELASTICSEARCH_VERSION}`), esHome, { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  rmSync(zip, { force: true });
}

/** Compiles our module against the distribution's own jars; again whenever its source changes. */
async function ensurePlugin(): Promise<void> {
  const source = readFileSync(pluginSource);
  const hash = createHash("sha256").update(source).digest("hex");
  const marker = join(pluginDir, ".source-sha256");
  if (existsSync(marker) && readFileSync(marker, "utf8") === hash) return;
  if (!commandExists("javac"))
    await ensureDebianPackages("elasticsearch", ["openjdk-17-jdk-headless"]);
  progress("elasticsearch", "compiling the streamplatform module …");
  const classes = join(cacheDir, "elasticsearch-plugin-classes");
  rmSync(classes, { recursive: true, force: true });
  rmSync(pluginDir, { recursive: true, force: true });
  mkdirSync(pluginDir, { recursive: true });
  const fix = "fix local/elasticsearch/StreamPlatformPlugin.java (compiler output above)";
  await run(
    join(javaHome(), "bin", "javac"),
    ["--release", "17", "-nowarn", "-cp", `${esHome}/lib/*`, "-d", classes, pluginSource],
    { server: "elasticsearch", fix },
  );
  await run(
    join(javaHome(), "bin", "jar"),
    ["cf", join(pluginDir, "streamplatform.jar"), "-C", classes, "."],
    {
      server: "elasticsearch",
      fix,
    },
  );
  writeFileSync(
    join(pluginDir, "plugin-descriptor.properties"),
    [
      "description=Stream Platform: root endpoint and analysis missing from the Maven Central distribution",
      `version=${ELASTICSEARCH_VERSION}`,
      "name=streamplatform",
      "classname=streamplatform.elasticsearch.StreamPlatformPlugin",
      "java.version=17",
      `elasticsearch.version=${ELASTICSEARCH_VERSION}`,
      "",
    ].join("\n"),
  );
  rmSync(classes, { recursive: true, force: true });
  writeFileSync(marker, hash);
}

function nodeConfig(home: string): string {
  const { elasticsearch } = localPorts();
  return `# Generated by local/src/servers/elasticsearch.ts
cluster.name: stream-platform
node.name: local
path.data: ${join(home, "data")}
path.logs: ${join(home, "logs")}
network.host: ${LOCAL_HOST}
http.port: ${elasticsearch}
transport.port: ${localPorts().elasticsearchTransport}
discovery.type: single-node
xpack.security.enabled: false
action.destructive_requires_name: false
# A shared development disk can be fuller than Elasticsearch likes; never go read-only for it.
cluster.routing.allocation.disk.threshold_enabled: false
`;
}

function prepareHome(user: Account | undefined): string {
  const home = serverDataDir("elasticsearch", user);
  const config = join(home, "config");
  if (!existsSync(config)) cpSync(join(esHome, "config"), config, { recursive: true });
  for (const dir of ["data", "logs", "tmp"]) mkdirSync(join(home, dir), { recursive: true });
  writeFileSync(join(config, "elasticsearch.yml"), nodeConfig(home));
  mkdirSync(join(config, "jvm.options.d"), { recursive: true });
  writeFileSync(join(config, "jvm.options.d", "heap.options"), "-Xms512m\n-Xmx512m\n");
  giveTo(user, home);
  return home;
}

export const elasticsearch: Server = {
  name: "elasticsearch",
  title: "Elasticsearch",
  dependsOn: [],
  // ~25 s on a quiet 2-core machine with few indices, but 136-236 s (measured) when it restarts
  // beside a live transcode and the fault drill's load, after the test suite left its indices.
  startupTimeoutSeconds: 600,
  address: () => serviceUrls().elasticsearchUrl,
  port: () => localPorts().elasticsearch,
  portVariable: "ELASTICSEARCH_PORT",
  external: () => externalServers().elasticsearch,

  async provision() {
    await ensureDistribution();
    await ensurePlugin();
    prepareHome(account());
  },

  async start() {
    const user = account();
    const home = prepareHome(user);
    startDaemon({
      name: "elasticsearch",
      command: join(esHome, "bin", "elasticsearch"),
      args: [],
      env: {
        ES_JAVA_HOME: javaHome(),
        ES_PATH_CONF: join(home, "config"),
        ES_TMPDIR: join(home, "tmp"),
        HOME: home,
        // Touching the whole heap up front costs memory on a shared machine and buys nothing here.
        ES_JAVA_OPTS: "-XX:-AlwaysPreTouch",
      },
      uid: user?.uid,
      gid: user?.gid,
    });
  },

  async probe(): Promise<Probe> {
    try {
      const response = await fetch(serviceUrls().elasticsearchUrl, {
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) return { up: false, reason: `GET / answered ${response.status}` };
      const info = (await response.json()) as { version?: { number?: string } };
      return { up: true, version: info.version?.number ?? "unknown" };
    } catch (error) {
      return { up: false, reason: (error as Error).message };
    }
  },
};
