// The search function's state, one per process: the Elasticsearch client, the aliases (their
// indices created at start, retried until they are), the bulk writer and the channel directory.
import { grpcClient, startupWork } from "@stream-platform/shared";
import { createElasticsearch } from "@stream-platform/shared/elasticsearch";
import { onShutdown } from "@stream-platform/shared/hosting";
import { aliasNames } from "./aliases.ts";
import { ChannelDirectory } from "./channels.ts";
import { Indexer } from "./indexer.ts";
import { ensureAlias } from "./indices.ts";
import { channelsIndex, eventsIndex } from "./mappings.ts";
import { Search } from "./search.ts";
import { BulkWriter } from "./writer.ts";

export const es = createElasticsearch("search");
export const aliases = aliasNames();
export const search = new Search(es, aliases);

/** Only the indexer needs it. */
const channels = grpcClient((grpc) => new grpc.ChannelsClient());

export const indexer = new Indexer(new BulkWriter(es), aliases, new ChannelDirectory(channels));

export const ready = startupWork(async () => {
  await ensureAlias(es, { alias: aliases.events, body: eventsIndex });
  await ensureAlias(es, { alias: aliases.channels, body: channelsIndex });
});

onShutdown(async () => {
  channels.close();
  await es.close();
});
