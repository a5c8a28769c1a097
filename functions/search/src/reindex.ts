// `npm run reindex -w functions/search -- [events|channels|all] [--keep-old]`: rolls an alias over
// to a new index with the mapping in mappings.ts (see indices.ts), with progress on the way.
import { serviceUrls } from "@stream-platform/shared";
import { createElasticsearch } from "@stream-platform/shared/elasticsearch";
import { aliasNames } from "./aliases.ts";
import { type AliasSpec, type ReindexProgress, reindex } from "./indices.ts";
import { channelsIndex, eventsIndex } from "./mappings.ts";

const usage = "usage: npm run reindex -w functions/search -- [events|channels|all] [--keep-old]";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const keepOld = args.includes("--keep-old");
  const which = args.filter((arg) => !arg.startsWith("--"));
  const unknown = args.filter((arg) => arg.startsWith("--") && arg !== "--keep-old");
  const target = which[0] ?? "all";
  if (unknown.length > 0 || which.length > 1 || !["events", "channels", "all"].includes(target)) {
    console.error(usage);
    return 2;
  }
  const names = aliasNames();
  const specs: AliasSpec[] = [
    { alias: names.events, body: eventsIndex },
    { alias: names.channels, body: channelsIndex },
  ].filter((spec) => target === "all" || spec.alias === names[target as "events" | "channels"]);

  const es = createElasticsearch("reindex");
  try {
    for (const spec of specs) {
      console.log(`${spec.alias}: reindexing on ${serviceUrls().elasticsearchUrl} …`);
      let last = 0;
      const report = await reindex(es, spec, {
        keepOld,
        onProgress: ({ phase, done, total }: ReindexProgress) => {
          if (Date.now() - last < 1000 && done < total) return;
          last = Date.now();
          console.log(`  ${phase}: ${done}/${total} documents`);
        },
      });
      console.log(
        report.from.length === 0
          ? `${spec.alias}: nothing to copy; created ${report.to}`
          : `${spec.alias}: ${report.from.join(", ")} → ${report.to} (${report.copied} copied, ${report.caughtUp} caught up; old index ${report.deleted ? "deleted" : "kept"})`,
      );
    }
    return 0;
  } catch (error) {
    console.error(`reindex failed: ${(error as Error).message}`);
    console.error("the alias still points to the old index unless the message says otherwise");
    return 1;
  } finally {
    await es.close();
  }
}

process.exitCode = await main();
