// The edge's certificate for HTTPS and RTMPS. A deployment gives its own (EDGE_TLS_CERT and
// EDGE_TLS_KEY: PEM files, the chain first); otherwise local/ makes a CA of its own and a
// certificate for 127.0.0.1 and localhost under .data/tls (never committed), which clients and
// tests trust by that CA (EDGE_TLS_CA names another one).
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { run } from "../proc.ts";

const dir = join(dataDir, "tls");

export interface EdgeTls {
  cert: string;
  key: string;
  /** The CA that signed `cert`, for clients (undefined: a publicly trusted certificate). */
  ca?: string;
}

/** Where the edge's certificate, key and CA are (no file is read or made here). */
export function edgeTls(): EdgeTls {
  const cert = process.env.EDGE_TLS_CERT ?? "";
  const key = process.env.EDGE_TLS_KEY ?? "";
  if (cert !== "" || key !== "") {
    if (cert === "" || key === "") {
      throw new InfraError(
        "nginx",
        "EDGE_TLS_CERT and EDGE_TLS_KEY go together: only one is set",
        "set both (PEM files of the certificate chain and its private key), or neither for a local CA",
      );
    }
    return { cert, key, ca: process.env.EDGE_TLS_CA || undefined };
  }
  return {
    cert: join(dir, "edge.pem"),
    key: join(dir, "edge.key"),
    ca: process.env.EDGE_TLS_CA || join(dir, "ca.pem"),
  };
}

/** A certificate NGINX can load: the given one checked, or local/'s own made (again) if need be. */
export async function ensureEdgeCertificate(): Promise<void> {
  const tls = edgeTls();
  if (process.env.EDGE_TLS_CERT) {
    for (const [name, file] of [
      ["EDGE_TLS_CERT", tls.cert],
      ["EDGE_TLS_KEY", tls.key],
    ] as const) {
      if (!existsSync(file))
        throw new InfraError("nginx", `${name} names ${file}, which does not exist`, `fix ${name}`);
    }
    return;
  }
  if (existsSync(tls.key) && existsSync(tls.cert) && existsSync(join(dir, "ca.pem"))) {
    // Renewed a month before it runs out.
    const validTo = Date.parse(new X509Certificate(readFileSync(tls.cert)).validTo);
    if (validTo - Date.now() > 30 * 86_400_000) return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (args: string[]) =>
    run("openssl", args, {
      server: "nginx",
      fix: "install openssl (Debian package openssl), or give EDGE_TLS_CERT and EDGE_TLS_KEY",
      cwd: dir,
    });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(
    ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650"]
      .concat(["-subj", "/CN=Stream Platform local CA"])
      .concat(["-addext", "basicConstraints=critical,CA:TRUE"])
      .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
  );
  await openssl([
    "req",
    ...ec,
    "-keyout",
    "edge.key",
    "-out",
    "edge.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  // What a client checks: the names, and that it is a server's certificate.
  writeFileSync(
    join(dir, "edge.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  await openssl(
    ["x509", "-req", "-in", "edge.csr", "-CA", "ca.pem", "-CAkey", "ca.key"].concat([
      "-CAcreateserial",
      "-out",
      "edge.pem",
      "-days",
      "397",
      "-extfile",
      "edge.ext",
    ]),
  );
  for (const file of ["ca.key", "edge.key"]) chmodSync(join(dir, file), 0o600);
}
