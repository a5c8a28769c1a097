// Go programs (FerretDB, Mailpit, VictoriaMetrics, Jaeger, the deployment tools) are built from
// the Go module proxy, once per version, into the cache.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A go.mod's replace directives that point at another module (`a => b v1`), in either form. */
export function moduleReplacements(goMod: string): string[] {
  const blocks = [...goMod.matchAll(/^replace\s*\(([^)]*)\)/gm)].flatMap((m) =>
    (m[1] as string).split("\n"),
  );
  const singles = [...goMod.matchAll(/^replace\s+([^(\s].*)$/gm)].map((m) => m[1] as string);
  return [...blocks, ...singles]
    .map((line) => line.replace(/\/\/.*$/, "").trim())
    .filter((line) => /=>\s*[^.\s/]\S*\s+v\S+$/.test(line));
}

export interface WrappedBuild {
  name: string;
  /** The module and version to build from, and its main package's import path. */
  module: string;
  version: string;
  pkg: string;
  /** How long the first build takes ("about 5 minutes"). */
  about: string;
  /** Where the build goes (`<dir>/<name>-<version>/<name>`); the Go builds' cache by default. */
  dir?: string;
  /** The wrapper's replace directives (`a => b v1`), from the module's own go.mod. */
  replaces?: (upstreamGoMod: string) => string[];
}

/**
 * `go install pkg@version` refuses a module whose go.mod has replace directives (Jaeger,
 * Kubernetes), so the main package is built inside a small module of our own that requires the
 * module and repeats its replacements (by default, those that point at other modules). Returns
 * the binary.
 */
export async function goBuildWrapped(build: WrappedBuild): Promise<string> {
  const { name, module, version } = build;
  const dir = build.dir ?? join(cacheDir, "go");
  const out = join(dir, `${name}-${version}`);
  const binary = join(out, name);
  if (existsSync(binary)) return binary;
  if (!commandExists("go"))
    throw new InfraError(name, "the Go toolchain is not installed", "install Go 1.24 or newer");
  rmSync(out, { recursive: true, force: true });
  const src = join(out, "src");
  mkdirSync(src, { recursive: true });
  const options = {
    server: name,
    fix: FIX,
    cwd: src,
    log: join(dir, `${name}-${version}.log`),
    env: { CGO_ENABLED: "0" },
  };
  progress(
    name,
    `building ${build.pkg}@${version} from the Go module proxy (${build.about}, once) …`,
  );
  await withHeartbeat(
    name,
    `building ${name}`,
    (async () => {
      const download = JSON.parse(
        await run("go", ["mod", "download", "-json", `${module}@${version}`], options),
      ) as { GoMod?: string };
      const upstream = readFileSync(download.GoMod ?? "", "utf8");
      const replaces = (build.replaces ?? moduleReplacements)(upstream);
      writeFileSync(
        join(src, "go.mod"),
        [
          `module stream-platform/${name}`,
          "",
          `go ${/^go\s+(\S+)/m.exec(upstream)?.[1] ?? "1.24"}`,
          "",
          `require ${module} ${version}`,
          "",
          ...replaces.map((replace) => `replace ${replace}`),
          "",
        ].join("\n"),
      );
      // Never compiled (a main package cannot be imported): it makes `go mod tidy` keep it.
      writeFileSync(
        join(src, "tools.go"),
        `//go:build tools\n\npackage tools\n\nimport _ "${build.pkg}"\n`,
      );
      await run("go", ["mod", "tidy"], options);
      await run("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", binary, build.pkg], options);
    })(),
    30_000,
  );
  rmSync(src, { recursive: true, force: true });
  progress(name, `built ${binary}`);
  return binary;
}
