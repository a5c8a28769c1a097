// Imported first by every benchmark that calls gRPC servers or feeds sinks (its own or the
// platform's): they take calls only with the platform-internal token, which local/ keeps in
// .data/secrets. Children started afterwards inherit it.
import { localSecret } from "../../local/src/servers/platform.ts";

process.env.INTERNAL_TOKEN ??= localSecret("internal-token");
