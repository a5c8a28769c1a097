// A directory's answers: a value is kept; an id the owner does not know, or that cannot name
// anything, is "none"; any other failure is thrown (the caller is retried).
import { describe, expect, it } from "vitest";
import { GrpcDirectory } from "../../src/grpc/directory.ts";
import { GrpcStatus } from "../../src/grpc/status.ts";

const failing = (code: number) => Object.assign(new Error(`status ${code}`), { code });

describe("GrpcDirectory", () => {
  it("asks once for what exists", async () => {
    let asked = 0;
    const directory = new GrpcDirectory(async (id) => {
      asked++;
      return `owner of ${id}`;
    });
    expect(await directory.lookup("a")).toBe("owner of a");
    expect(await directory.lookup("a")).toBe("owner of a");
    expect(asked).toBe(1);
  });

  it("answers none for an unknown id and for one that names nothing", async () => {
    const notFound = new GrpcDirectory<string>(async () => {
      throw failing(GrpcStatus.NOT_FOUND);
    });
    expect(await notFound.lookup("a")).toBeUndefined();
    const invalid = new GrpcDirectory<string>(async () => {
      throw failing(GrpcStatus.INVALID_ARGUMENT);
    });
    expect(await invalid.lookup("ch_missing")).toBeUndefined();
  });

  it("throws any other failure", async () => {
    const unavailable = new GrpcDirectory<string>(async () => {
      throw failing(GrpcStatus.UNAVAILABLE);
    });
    await expect(unavailable.lookup("a")).rejects.toThrow("status 14");
  });
});
