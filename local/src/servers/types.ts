export type Probe = { up: true; version: string } | { up: false; reason: string };

/** One server that local/ can provision, start, check and stop. */
export interface Server {
  name: string;
  /** What it is, for status output: "PostgreSQL", "Apache Kafka (KRaft)". */
  title: string;
  /** Servers that must be up first. */
  dependsOn: string[];
  /** Where clients connect. */
  address(): string;
  /** The TCP port local/ binds, when it runs the server itself. */
  port(): number;
  /** The environment variable that sets that port. */
  portVariable: string;
  /** True when a URL in the environment points at a server run elsewhere. */
  external(): boolean;
  /** Installs, downloads or builds what it needs; idempotent and cached. */
  provision(): Promise<void>;
  /** Starts the process (provisioned, port known to be free). */
  start(): Promise<void>;
  /** Asks the running server itself whether it answers, and its version. */
  probe(): Promise<Probe>;
  /** Seconds to wait for the first successful probe after start. */
  startupTimeoutSeconds: number;
  /** True when the running process is out of date (its code changed): `up` restarts it. */
  stale?(): Promise<boolean>;
  /** The signal for a clean, prompt stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** One-time work once it answers (databases to create, say). */
  afterReady?(): Promise<void>;
}

/** Programs the platform runs (not servers): only installed and checked. */
export interface Tool {
  name: string;
  title: string;
  provision(): Promise<void>;
  version(): Promise<string | undefined>;
}
