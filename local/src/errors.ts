/** A failure of local infrastructure: which server, what went wrong, and how to fix it. */
export class InfraError extends Error {
  constructor(
    readonly server: string,
    readonly cause_: string,
    readonly fix: string,
    readonly details?: string,
  ) {
    super(`${server}: ${cause_}`);
    this.name = "InfraError";
  }

  describe(): string {
    const lines = [`✗ ${this.server}: ${this.cause_}`, `  fix: ${this.fix}`];
    if (this.details) {
      lines.push("  details:", ...this.details.split("\n").map((line) => `    ${line}`));
    }
    return lines.join("\n");
  }
}
