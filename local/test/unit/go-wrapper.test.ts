// Which of a module's replace directives a wrapper module repeats (local/src/provision/go.ts):
// those that point at another module, in either of go.mod's forms; never a local folder.
import { describe, expect, it } from "vitest";
import { moduleReplacements } from "../../src/provision/go.ts";

describe("a wrapper module's replacements", () => {
  it("keeps module-to-module replacements and drops folders", () => {
    const goMod = [
      "module example.com/tool",
      "",
      "go 1.24.6",
      "",
      "replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0",
      "replace example.com/local => ./staging/local",
      "replace (",
      "\tk8s.io/api => k8s.io/api v0.35.4 // published",
      "\texample.com/up => ../up",
      ")",
    ].join("\n");
    expect(moduleReplacements(goMod).sort()).toEqual([
      "github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0",
      "k8s.io/api => k8s.io/api v0.35.4",
    ]);
  });
});
