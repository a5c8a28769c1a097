// A runtime of the benchmark's own: the named files of knative/ (copied apart, so nothing else
// starts; or only some of their Knative Services), with its own topic prefix and ports, and a
// way to find a Service's URL.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { type Runtime, startRuntime } from "../../local/src/eventing/runtime.ts";
import { logDir, repoRoot } from "../../local/src/paths.ts";

export interface BenchRuntime {
  runtime: Runtime;
  /** The URL of a Knative Service the files describe. */
  url(name: string): string;
  /** Its running process's own URL (the activator out of the path), once it runs. */
  instanceUrl(name: string): string | undefined;
  stop(): Promise<void>;
}

export async function startBenchRuntime(options: {
  files: string[];
  /**
   * Only these Knative Services of the files, as the files describe them, and nothing else of
   * the files (no sources, sinks or other Services): a function's API alone, without its sink.
   */
  services?: string[];
  basePort: number;
  topicPrefix: string;
  log?: (message: string) => void;
}): Promise<BenchRuntime> {
  const manifests = mkdtempSync(join(tmpdir(), "bench-knative-"));
  for (const file of options.files) {
    const from = join(repoRoot, "knative", file);
    const only = options.services;
    if (!only) {
      copyFileSync(from, join(manifests, file));
      continue;
    }
    const kept = parseAllDocuments(readFileSync(from, "utf8")).filter((doc) => {
      const object = doc.toJS() as {
        apiVersion?: string;
        kind?: string;
        metadata?: { name?: string };
      };
      return (
        object?.apiVersion === "serving.knative.dev/v1" &&
        object.kind === "Service" &&
        only.includes(object.metadata?.name ?? "")
      );
    });
    writeFileSync(join(manifests, file), kept.map((doc) => doc.toString()).join("---\n"));
  }
  const runtime = await startRuntime({
    dirs: [manifests],
    basePort: options.basePort,
    statusPort: 0,
    logDir: join(logDir, "bench"),
    topicPrefix: options.topicPrefix,
    log: options.log ?? (() => undefined),
  }).catch((error: unknown) => {
    rmSync(manifests, { recursive: true, force: true });
    throw error;
  });
  const service = (name: string) => {
    const found = runtime.status().services.find((s) => s.name === name);
    if (!found) throw new Error(`no Service ${name} in knative/${options.files.join(", ")}`);
    return found;
  };
  return {
    runtime,
    url: (name) => service(name).url,
    instanceUrl: (name) => service(name).instanceUrl,
    stop: async () => {
      await runtime.stop();
      rmSync(manifests, { recursive: true, force: true });
    },
  };
}
