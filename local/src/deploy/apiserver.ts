// A real Kubernetes API server for checking manifests: etcd (Debian's etcd-server) and
// kube-apiserver (built from the Go module proxy, local/src/deploy/tools.ts) on 127.0.0.1, with a
// data directory of their own, stopped and removed by stop(). No scheduler or kubelet: objects
// are validated (OpenAPI, CRD schemas, admission) and stored, never run.
// Manifests go in as `kubectl apply --server-side --dry-run=server` sends them: a server-side
// apply PATCH with dryRun=All and fieldValidation=Strict (an unknown field is an error).
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianPackages } from "../provision/apt.ts";
import { kubeApiserver } from "./tools.ts";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

export interface ApiServer {
  /** A request to the API server: status and parsed body. */
  call(method: string, path: string, body?: unknown, type?: string): Promise<ApiAnswer>;
  /** Creates CustomResourceDefinitions and waits until each is Established. */
  installCrds(crds: KubeObject[]): Promise<void>;
  /** Server-side apply with dryRun=All: the API server's answer, nothing stored. */
  dryRunApply(object: KubeObject): Promise<ApiAnswer>;
  /** Where its logs are (etcd.log, kube-apiserver.log), until stop(). */
  dir: string;
  /** Its service-account issuer (`iss` of the tokens it makes; discovery under it). */
  issuer: string;
  /** Its serving certificate (self-signed): the CA a client of it trusts. */
  caFile: string;
  /** The private key it signs service-account tokens with (PEM, PKCS #8). */
  signingKeyFile: string;
  stop(): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  body: { message?: string; [key: string]: unknown };
}

const HOST = "127.0.0.1";
const TOKEN = "manifest-check";

/** A port the kernel says is free now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startApiServer(): Promise<ApiServer> {
  await ensureDebianPackages("etcd", ["etcd-server"]);
  const binary = await kubeApiserver();
  const dir = mkdtempSync(join(tmpdir(), "kube-apiserver-"));
  const children: ChildProcess[] = [];
  // A test runner that dies mid-check takes the servers with it.
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const stop = async () => {
    for (const child of [...children].reverse()) await stopChild(child);
    process.off("exit", killAll);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, securePort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const etcdUrl = `http://${HOST}:${etcdClient}`;
    const issuer = `https://${HOST}:${securePort}`;
    const etcd = spawn(
      "etcd",
      [
        "--name=manifest-check",
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://${HOST}:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://${HOST}:${etcdPeer}`,
        `--initial-cluster=manifest-check=http://${HOST}:${etcdPeer}`,
        "--log-level=warn",
      ],
      {
        stdio: [
          "ignore",
          openSync(join(dir, "etcd.log"), "a"),
          openSync(join(dir, "etcd.log"), "a"),
        ],
      },
    );
    children.push(etcd);

    // Service accounts need a signing key; a static token lets this process in.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(join(dir, "tokens.csv"), `${TOKEN},manifest-check,1,system:masters\n`);
    const certs = join(dir, "certs");
    mkdirSync(certs);
    const log = openSync(join(dir, "kube-apiserver.log"), "a");
    const apiserver = spawn(
      binary,
      [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${HOST}`,
        `--advertise-address=${HOST}`,
        `--secure-port=${securePort}`,
        // Self-signed, written here; the client trusts exactly that certificate.
        `--cert-dir=${certs}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        `--service-account-issuer=${issuer}`,
        `--service-account-key-file=${join(dir, "sa.pub")}`,
        `--service-account-signing-key-file=${join(dir, "sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        // Its own endpoint would be 127.0.0.1, which an Endpoints object may not hold.
        "--endpoint-reconciler-type=none",
        "--v=1",
      ],
      { stdio: ["ignore", log, log] },
    );
    children.push(apiserver);

    let ca: Buffer | undefined;
    const call = (method: string, path: string, body?: unknown, type = "application/json") =>
      new Promise<ApiAnswer>((resolve, reject) => {
        ca ??= readFileSync(join(certs, "apiserver.crt"));
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: HOST,
            port: securePort,
            method,
            path,
            ca,
            headers: {
              authorization: `Bearer ${TOKEN}`,
              accept: "application/json",
              ...(payload && { "content-type": type }),
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => {
              let parsed: ApiAnswer["body"];
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = { message: text };
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
          },
        );
        req.on("error", reject);
        req.end(payload);
      });

    // Ready when /readyz answers ok (etcd reached, bootstrap controllers done).
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (etcd.exitCode !== null)
        throw new Error(
          `etcd exited (${etcd.exitCode}): ${readFileSync(join(dir, "etcd.log"), "utf8").slice(-2000)}`,
        );
      if (apiserver.exitCode !== null)
        throw new Error(
          `kube-apiserver exited (${apiserver.exitCode}): ${readFileSync(join(dir, "kube-apiserver.log"), "utf8").slice(-2000)}`,
        );
      let why = "";
      const ready = await call("GET", "/readyz").catch((error: Error) => {
        why = error.message;
      });
      if (ready?.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(
          `kube-apiserver was not ready within 2 minutes (${ready ? `${ready.status} ${ready.body.message}` : why}): ${readFileSync(join(dir, "kube-apiserver.log"), "utf8").slice(-1500)}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
    // The default namespace is made by a bootstrap controller, shortly after readiness.
    while ((await call("GET", "/api/v1/namespaces/default")).status !== 200) {
      if (Date.now() > deadline) throw new Error("the default namespace never appeared");
      await new Promise((r) => setTimeout(r, 250));
    }

    /** apiVersion + kind → the resource's path segment and whether it is namespaced. */
    const resources = new Map<string, { plural: string; namespaced: boolean }>();
    const discover = async (apiVersion: string, kind: string) => {
      const key = `${apiVersion}/${kind}`;
      // A CRD's group reaches discovery shortly after it is Established: asked again a while.
      for (let tries = 0; !resources.has(key) && tries < 50; tries++) {
        if (tries > 0) await new Promise((r) => setTimeout(r, 200));
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const answer = await call("GET", base);
        const list =
          (answer.body.resources as { name: string; kind: string; namespaced: boolean }[]) ?? [];
        for (const r of list)
          if (!r.name.includes("/"))
            resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
      }
      const found = resources.get(key);
      if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
      return found;
    };
    const pathOf = async (object: KubeObject) => {
      const { plural, namespaced } = await discover(object.apiVersion, object.kind);
      const base = object.apiVersion.includes("/")
        ? `/apis/${object.apiVersion}`
        : `/api/${object.apiVersion}`;
      const namespace = namespaced ? `/namespaces/${object.metadata.namespace ?? "default"}` : "";
      return `${base}${namespace}/${plural}/${encodeURIComponent(object.metadata.name)}`;
    };
    const apply = async (object: KubeObject, dryRun: boolean) => {
      const query = `fieldManager=stream-platform&fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`;
      return call(
        "PATCH",
        `${await pathOf(object)}?${query}`,
        object,
        "application/apply-patch+yaml",
      );
    };

    return {
      dir,
      issuer,
      caFile: join(certs, "apiserver.crt"),
      signingKeyFile: join(dir, "sa.key"),
      call,
      stop,
      dryRunApply: (object) => apply(object, true),
      async installCrds(crds) {
        for (const crd of crds) {
          const answer = await apply(crd, false);
          if (answer.status >= 300)
            throw new Error(`CRD ${crd.metadata.name}: ${answer.status} ${answer.body.message}`);
        }
        for (const crd of crds) {
          const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
          for (;;) {
            const { body } = await call("GET", path);
            const conditions =
              (body.status as { conditions?: { type: string; status: string }[] })?.conditions ??
              [];
            if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
            if (Date.now() > deadline + 60_000)
              throw new Error(`CRD ${crd.metadata.name} never became Established`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        resources.clear();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
