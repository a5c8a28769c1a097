// The deployment tools test:deploy and the cluster checks use, built once per version from the
// Go module proxy into the cache (a fresh clone reuses them): Helm, kubeconform and a real
// kube-apiserver. etcd comes from Debian.
import { join } from "node:path";
import { cacheDir } from "../paths.ts";
import { goBuildWrapped, goInstall as goInstallInto } from "../provision/go.ts";

export const VERSIONS = {
  helm: "v3.22.0",
  kubeconform: "v0.8.0",
  kubernetes: "v1.35.4",
} as const;

const toolsDir = join(cacheDir, "deploy-tools");

/** `go install package@version` into its own folder of the deployment tools' cache. */
const goInstall = (name: string, pkg: string, version: string, about: string) =>
  goInstallInto(name, pkg, version, about, toolsDir);

export const helm = () =>
  goInstall("helm", "helm.sh/helm/v3/cmd/helm", VERSIONS.helm, "about 3 minutes");

export const kubeconform = () =>
  goInstall(
    "kubeconform",
    "github.com/yannh/kubeconform/cmd/kubeconform",
    VERSIONS.kubeconform,
    "seconds",
  );

/**
 * kube-apiserver: k8s.io/kubernetes replaces each of its staging modules with its own folder
 * (`k8s.io/api => ./staging/src/k8s.io/api`), which a wrapper module cannot follow; it points
 * each at its published k8s.io/* v0.x release instead.
 */
export const kubeApiserver = () =>
  goBuildWrapped({
    name: "kube-apiserver",
    module: "k8s.io/kubernetes",
    version: VERSIONS.kubernetes,
    pkg: "k8s.io/kubernetes/cmd/kube-apiserver",
    about: "about 5 minutes",
    dir: toolsDir,
    replaces: (upstream) => {
      const published = VERSIONS.kubernetes.replace(/^v1\./, "v0.");
      return [
        ...upstream.matchAll(/^\s*(?:replace\s+)?(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm),
      ].map((match) => `${match[1]} => ${match[1]} ${published}`);
    },
  });
