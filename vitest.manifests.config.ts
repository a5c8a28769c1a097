import { defineConfig } from "vitest/config";

// `npm run test:manifests`: knative/ against a real Kubernetes API server (etcd and
// kube-apiserver on 127.0.0.1, started and removed by the test). The first run builds
// kube-apiserver from the Go module proxy (about 5 minutes); then it takes seconds.
export default defineConfig({
  test: {
    include: ["deploy/cluster/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    // One API server (and etcd) at a time: two starting at once could be handed the same free
    // port, and one etcd would then never listen.
    fileParallelism: false,
  },
});
