// Go programs (FerretDB, Mailpit, the deployment tools) are built from the Go module proxy,
// once per version, into the cache.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../errors.ts";
import { cacheDir } from "../paths.ts";
import { commandExists, run } from "../proc.ts";
import { progress, withHeartbeat } from "../report.ts";

/**
 * Builds the main package `cmd` (a path inside the module) of `module@version` into
 * `<cache>/go/<name>-<version>/<name>` and returns the binary.
 *
 * FerretDB panics at start unless its release tooling generated `build/version/version.txt`,
 * which `go install pkg@version` cannot do; so the module's source is copied out of the module
 * cache, given the files that tooling would generate (`generated`), and built there.
 */
export async function goBuild(
  server: string,
  module: string,
  version: string,
  cmd: string,
  generated: Record<string, string> = {},
): Promise<string> {
  const name = cmd.split("/").at(-1) ?? cmd;
  const dir = join(cacheDir, "go", `${name}-${version}`);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  if (!commandExists("go")) {
    throw new InfraError(
      server,
      "the Go toolchain is not installed",
      "install Go 1.24 or newer and put `go` on PATH",
    );
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const src = join(dir, "src");
  const options = {
    server,
    env: { CGO_ENABLED: "0" },
    fix: "check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.24 or newer",
    log: join(dir, "build.log"),
  };
  progress(server, `building ${module}@${version} from the Go module proxy (about a minute) …`);
  await withHeartbeat(
    server,
    "building",
    (async () => {
      const download = JSON.parse(
        await run("go", ["mod", "download", "-json", `${module}@${version}`], {
          ...options,
          cwd: dir,
        }),
      ) as { Dir?: string };
      if (!download.Dir)
        throw new InfraError(
          server,
          `go mod download gave no folder for ${module}@${version}`,
          options.fix,
        );
      cpSync(download.Dir, src, { recursive: true });
      // The module cache is read-only; the copy must not be.
      await run("chmod", ["-R", "u+w", src], { ...options, cwd: dir });
      for (const [file, content] of Object.entries(generated))
        writeFileSync(join(src, file), content);
      await run("go", ["build", "-trimpath", "-o", binary, `./${cmd}`], { ...options, cwd: src });
    })(),
  );
  rmSync(src, { recursive: true, force: true });
  progress(server, `built ${binary}`);
  return binary;
}

const FIX =
  "check that the Go module proxy is reachable (go env GOPROXY) and that Go is 1.24 or newer";

/**
 * `go install package@version` with GOBIN at `<dir>/<name>-<version>/`; returns the binary.
 * `about` tells how long the first build takes ("about a minute").
 */
export async function goInstall(
  name: string,
  pkg: string,
  version: string,
  about: string,
  dir = join(cacheDir, "go"),
): Promise<string> {
  const bin = join(dir, `${name}-${version}`);
  const binary = join(bin, name);
  if (existsSync(binary)) return binary;
  if (!commandExists("go"))
    throw new InfraError(name, "the Go toolchain is not installed", "install Go 1.24 or newer");
  mkdirSync(bin, { recursive: true });
  progress(name, `building ${pkg}@${version} from the Go module proxy (${about}, once) …`);
  await withHeartbeat(
    name,
    `building ${name}`,
    run("go", ["install", `${pkg}@${version}`], {
      server: name,
      fix: FIX,
      env: { GOBIN: bin, CGO_ENABLED: "0" },
      log: join(dir, `${name}-${version}.log`),
    }),
    30_000,
  );
  progress(name, `built ${binary}`);
  return binary;
}
