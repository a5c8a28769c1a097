// The deployment tools test:deploy and the cluster checks use, built once per version from the
// Go module proxy into the cache (a fresh clone reuses them): Helm, kubeconform and a real
// kube-apiserver. etcd comes from Debian.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../errors.ts";
import { cacheDir } from "../paths.ts";
import { commandExists, run } from "../proc.ts";
import { goInstall as goInstallInto } from "../provision/go.ts";
import { progress, withHeartbeat } from "../report.ts";

export const VERSIONS = {
  helm: "v3.22.0",
  kubeconform: "v0.8.0",
  kubernetes: "v1.35.4",
} as const;

const toolsDir = join(cacheDir, "deploy-tools");
const FIX =
  "check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.24 or newer";

function requireGo(server: string): void {
  if (!commandExists("go"))
    throw new InfraError(server, "the Go toolchain is not installed", "install Go 1.24 or newer");
}

/** `go install package@version` into its own folder of the deployment tools' cache. */
const goInstall = (name: string, pkg: string, version: string, about: string) =>
  goInstallInto(name, pkg, version, about, toolsDir);

export const helm = () =>
  goInstall("helm", "helm.sh/helm/v3/cmd/helm", VERSIONS.helm, "about 3 minutes");

export const kubeconform = () =>
  goInstall(
    "kubeconform",
    "github.com/yannh/kubeconform/cmd/kubeconform",
    VERSIONS.kubeconform,
    "seconds",
  );

/**
 * kube-apiserver: `go install k8s.io/kubernetes/cmd/kube-apiserver` refuses a module with
 * replace directives (its staging modules), so a small module of our own requires
 * k8s.io/kubernetes and points each staging module at its published k8s.io/* v0.x release.
 */
export async function kubeApiserver(): Promise<string> {
  const name = "kube-apiserver";
  const version = VERSIONS.kubernetes;
  const dir = join(toolsDir, `${name}-${version}`);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  requireGo(name);
  rmSync(dir, { recursive: true, force: true });
  const src = join(dir, "src");
  mkdirSync(src, { recursive: true });
  const log = join(toolsDir, `${name}-${version}.log`);
  const options = { server: name, fix: FIX, cwd: src, log, env: { CGO_ENABLED: "0" } };
  progress(
    name,
    `building kube-apiserver ${version} from the Go module proxy (about 5 minutes, once) …`,
  );
  await withHeartbeat(
    name,
    "building kube-apiserver",
    (async () => {
      const download = JSON.parse(
        await run("go", ["mod", "download", "-json", `k8s.io/kubernetes@${version}`], options),
      ) as { GoMod?: string };
      const upstream = readFileSync(download.GoMod ?? "", "utf8");
      const staging = [
        ...upstream.matchAll(/^\s*(?:replace\s+)?(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm),
      ].map((match) => match[1] as string);
      const published = version.replace(/^v1\./, "v0.");
      writeFileSync(
        join(src, "go.mod"),
        [
          "module stream-platform/kube-apiserver",
          "",
          `go ${/^go\s+(\S+)/m.exec(upstream)?.[1] ?? "1.24"}`,
          "",
          `require k8s.io/kubernetes ${version}`,
          "",
          ...staging.map((module) => `replace ${module} => ${module} ${published}`),
          "",
        ].join("\n"),
      );
      writeFileSync(
        join(src, "tools.go"),
        // Never compiled (a main package cannot be imported): it makes `go mod tidy` keep it.
        '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n',
      );
      await run("go", ["mod", "tidy"], options);
      await run(
        "go",
        [
          "build",
          "-trimpath",
          "-ldflags=-s -w",
          "-o",
          binary,
          "k8s.io/kubernetes/cmd/kube-apiserver",
        ],
        options,
      );
    })(),
    30_000,
  );
  rmSync(src, { recursive: true, force: true });
  progress(name, `built ${binary}`);
  return binary;
}
