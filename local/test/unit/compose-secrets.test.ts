// docker-compose.yml hands each container only the secrets its own manifest in knative/ names
// (a function that is broken into holds no other function's keys), and starts only when the
// operator has set every secret: no default PostgreSQL password. Compose's interpolation is done
// here as the Compose specification describes it, so the file is checked as Compose reads it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { composeFile } from "../../src/deploy/generate.ts";
import { loadManifests } from "../../src/eventing/manifests.ts";
import { repoRoot } from "../../src/paths.ts";

const knativeDir = join(repoRoot, "knative");
const manifests = loadManifests([knativeDir]);
const generated = composeFile(manifests);

/** What the operator sets from the shell: every secret, each with a value of its own. */
const SECRETS = {
  POSTGRES_PASSWORD: "0123456789abcdef0123456789abcdef",
  JWT_SECRET: "jwt-secret-from-the-shell-0123456789",
  STREAM_KEY_SECRET: "stream-key-secret-from-the-shell-012",
  INGRESS_TOKEN: "ingress-token-from-the-shell",
  INTERNAL_TOKEN: "internal-token-from-the-shell",
  SMTP_URL: "smtp://user:mail-password@smtp.example.org:587",
};
const SECRET_NAMES = Object.keys(SECRETS);
/** The edge's certificate and key: paths, required as well (not secrets in the environment). */
const CERTIFICATE = { EDGE_TLS_CERT: "/etc/site/edge.pem", EDGE_TLS_KEY: "/etc/site/edge.key" };

/**
 * Compose's interpolation: `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:?error}` (unset or empty) and `${NAME?error}` (unset), which stop Compose.
 */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (whole, name: string | undefined, colon: string, op: string, arg: string) => {
      if (whole === "$$") return "$";
      const value = env[name as string];
      const missing = value === undefined || (colon === ":" && value === "");
      if (op === "?" && missing) throw new Error(`required variable ${name} is missing: ${arg}`);
      if (op === "-" && missing) return arg;
      return value ?? "";
    },
  );
}

/** The variables each container of knative/ fills from platform-secrets, by manifest name. */
function secretVariablesInKnative(): Map<string, Set<string>> {
  const byOwner = new Map<string, Set<string>>();
  for (const file of readdirSync(knativeDir).filter((f) => f.endsWith(".yaml")))
    for (const doc of parseAllDocuments(readFileSync(join(knativeDir, file), "utf8"))) {
      const object = doc.toJS() as {
        metadata?: { name: string };
        spec?: {
          template?: {
            spec?: {
              containers?: { env?: { name: string; valueFrom?: { secretKeyRef?: object } }[] }[];
            };
          };
        };
      } | null;
      for (const container of object?.spec?.template?.spec?.containers ?? [])
        for (const variable of container.env ?? [])
          if (variable.valueFrom?.secretKeyRef) {
            const owner = object?.metadata?.name as string;
            byOwner.set(owner, (byOwner.get(owner) ?? new Set()).add(variable.name));
          }
    }
  return byOwner;
}

type ComposeService = { environment?: Record<string, string> };
const servicesOf = (text: string) =>
  (parse(text) as { services: Record<string, ComposeService> }).services;

/** The environment variables of a service whose value comes from a secret of the shell. */
const secretsHeldBy = (service: ComposeService) =>
  Object.entries(service.environment ?? {})
    .filter(([, value]) => SECRET_NAMES.some((name) => String(value).includes(`\${${name}`)))
    .map(([variable]) => variable)
    .sort();

describe("docker-compose.yml's secrets", () => {
  it("gives every container only the secrets its Knative manifest references", () => {
    const knative = secretVariablesInKnative();
    const services = servicesOf(generated);
    const expected = (name: string): string[] => {
      if (name === "postgres") return ["POSTGRES_PASSWORD"];
      // local/'s dispatcher, standing in for Knative's eventing: it sends sinks the token.
      if (name === "eventing") return ["INTERNAL_TOKEN"];
      return [...(knative.get(name) ?? [])].sort();
    };
    for (const [name, service] of Object.entries(services)) {
      expect(secretsHeldBy(service), name).toEqual(expected(name));
      // Nowhere else in the service either (a command, a health check).
      const mentions = SECRET_NAMES.flatMap((secret) =>
        [...JSON.stringify(service).matchAll(new RegExp(`\\$\\{${secret}\\b`, "g"))].map(() => 1),
      ).length;
      const inEnvironment = Object.values(service.environment ?? {}).flatMap((value) =>
        SECRET_NAMES.filter((secret) => String(value).includes(`\${${secret}`)),
      ).length;
      expect(mentions, `${name}: a secret outside its environment`).toBe(inEnvironment);
    }
    // The check can fail: a function holds fewer secrets than all of them, and some hold none.
    expect(secretsHeldBy(services.search as ComposeService)).toEqual(["INTERNAL_TOKEN"]);
    expect(secretsHeldBy(services.ingress as ComposeService)).toEqual([
      "DATABASE_URL",
      "INGRESS_TOKEN",
    ]);
    expect(secretsHeldBy(services.edge as ComposeService)).toEqual([]);
    expect(secretsHeldBy(services.kafka as ComposeService)).toEqual([]);
  });

  it("refuses to start without POSTGRES_PASSWORD, or any other secret, and has no default", () => {
    expect(generated).not.toMatch(/POSTGRES_PASSWORD:-/);
    for (const name of SECRET_NAMES.filter((n) => n !== "SMTP_URL")) {
      const without = { ...SECRETS, [name]: undefined };
      expect(() => interpolate(generated, without), `without ${name}`).toThrow(
        new RegExp(`required variable ${name} is missing: set ${name} \\(e\\.g\\. openssl rand`),
      );
      expect(() => interpolate(generated, { ...SECRETS, [name]: "" }), `${name} empty`).toThrow(
        name,
      );
    }
  });

  it("refuses to start without the edge's certificate and key, which the edge alone mounts", () => {
    for (const name of Object.keys(CERTIFICATE))
      expect(() =>
        interpolate(generated, { ...SECRETS, ...CERTIFICATE, [name]: undefined }),
      ).toThrow(new RegExp(`required variable ${name} is missing`));
    const services = servicesOf(interpolate(generated, { ...SECRETS, ...CERTIFICATE }));
    const mounting = Object.entries(services).filter(([, service]) =>
      JSON.stringify(service).includes("/etc/site/edge."),
    );
    expect(mounting.map(([name]) => name)).toEqual(["edge"]);
    expect((services.edge as { volumes: string[] }).volumes).toEqual(
      expect.arrayContaining([
        "/etc/site/edge.pem:/etc/nginx/tls/tls.crt:ro",
        "/etc/site/edge.key:/etc/nginx/tls/tls.key:ro",
      ]),
    );
  });

  it("puts the operator's password into PostgreSQL and every DATABASE_URL", () => {
    const services = servicesOf(interpolate(generated, { ...SECRETS, ...CERTIFICATE }));
    expect(services.postgres?.environment?.POSTGRES_PASSWORD).toBe(SECRETS.POSTGRES_PASSWORD);
    const urls = Object.values(services).flatMap((s) =>
      s.environment?.DATABASE_URL ? [s.environment.DATABASE_URL] : [],
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls)
      expect(url).toBe(
        `postgres://postgres:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/streamplatform`,
      );
    // Mail goes to the Compose Mailpit unless an SMTP server is given.
    const { SMTP_URL: _, ...noSmtp } = { ...SECRETS, ...CERTIFICATE };
    expect(servicesOf(interpolate(generated, noSmtp)).accounts?.environment?.SMTP_URL).toBe(
      "smtp://mailpit:1025",
    );
  });

  it("refuses to generate a container that reads a secret key Compose has no value for", () => {
    const [first, ...rest] = manifests.services;
    const container = first?.spec.template.spec.containers[0] as {
      env?: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
    };
    const altered = structuredClone(first) as typeof first;
    (altered?.spec.template.spec.containers[0] as typeof container).env = [
      ...(container.env ?? []),
      {
        name: "NEW_SECRET",
        valueFrom: { secretKeyRef: { name: "platform-secrets", key: "new-secret" } },
      },
    ];
    expect(() =>
      composeFile({ ...manifests, services: [altered as NonNullable<typeof first>, ...rest] }),
    ).toThrow(/reads the secret key "new-secret", which docker-compose.yml has no value for/);
  });
});
