import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKeyPair } from "@acs/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfigError, parseSiteConfig } from "../../src/config/site-config.js";
import { readSyncCredentials } from "../../src/config/sync-credentials.js";

const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

/** A CA, a client certificate for edge-ams with its key, another key, an encrypted key. */
function makeFiles(dir: string) {
  const f = (name: string) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-subj",
    "/CN=test ca",
    "-days",
    "400",
  );
  openssl(
    "req",
    "-new",
    ...ec,
    "-keyout",
    f("edge.key"),
    "-out",
    f("edge.csr"),
    "-subj",
    "/CN=edge-ams",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    f("edge.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("edge.crt"),
    "-days",
    "400",
  );
  openssl(
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    f("other.key"),
  );
  openssl(
    "pkey",
    "-in",
    f("other.key"),
    "-aes256",
    "-passout",
    "pass:secret",
    "-out",
    f("encrypted.key"),
  );
  writeFileSync(f("edge-ed25519.key"), generateSigningKeyPair("edge").privateKeyPem, {
    mode: 0o600,
  });
  edgeKeyFile = f("edge-ed25519.key");
  writeFileSync(f("garbage.pem"), "not a pem at all\n");
  writeFileSync(f("password"), "s3cret-Pa55\n");
  writeFileSync(f("empty"), "");
  return f;
}

/** The edge's own signing key (sync.edgeKey), made with the other files. */
let edgeKeyFile = "";

function site(sync: object) {
  return {
    site: "ams",
    store: { path: "/var/lib/accessd/ams.db" },
    sync: {
      centralKeys: [{ keyId: "central-1", publicKeyPem: PUBLIC_KEY }],
      edgeKey: { privateKeyFile: edgeKeyFile },
      ...sync,
    },
  };
}

function problemsOf(value: object): Array<{ path: string; message: string }> {
  try {
    parseSiteConfig(value);
  } catch (err) {
    return [...(err as ConfigError).problems];
  }
  return [];
}

describe("sync credentials in the site config", () => {
  let dir: string;
  let f: (name: string) => string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acs-credentials-"));
    f = makeFiles(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a CA, a client certificate and its key into the client's TLS options", () => {
    const tls = { caFile: f("ca.crt"), certFile: f("edge.crt"), keyFile: f("edge.key") };
    const config = parseSiteConfig(site({ mqttUrl: "mqtts://broker:8883", tls }));
    expect(config.sync?.tls).toEqual(tls);
    const { mqtt, problems, warnings } = readSyncCredentials(config.sync!, "ams");
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(mqtt.rejectUnauthorized).toBe(true);
    expect(mqtt.ca?.toString()).toContain("BEGIN CERTIFICATE");
    expect(mqtt.cert?.toString()).toContain("BEGIN CERTIFICATE");
    expect(mqtt.key?.toString()).toContain("PRIVATE KEY");
  });

  it("reports missing files and bad PEMs with the other problems, each naming its field", () => {
    const problems = problemsOf({
      ...site({
        mqttUrl: "mqtts://broker:8883",
        tls: { caFile: f("garbage.pem"), certFile: f("edge.key"), keyFile: f("missing.key") },
      }),
      timezone: "Mars/Olympus",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: "sync.tls.caFile", message: "not a PEM certificate" },
        { path: "sync.tls.certFile", message: "not a PEM certificate" },
        { path: "sync.tls.keyFile", message: `cannot read ${f("missing.key")} (ENOENT)` },
        { path: "timezone", message: 'unknown time zone "Mars/Olympus"' },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("refuses a key that is not the certificate's, an encrypted key, half a pair", () => {
    const tls = (keyFile: string | undefined) => ({
      mqttUrl: "mqtts://broker:8883",
      tls: { caFile: f("ca.crt"), certFile: f("edge.crt"), keyFile },
    });
    expect(problemsOf(site(tls(f("other.key"))))).toEqual([
      { path: "sync.tls.keyFile", message: "not the key of the certificate in tls.certFile" },
    ]);
    expect(problemsOf(site(tls(f("encrypted.key"))))[0]?.message).toMatch(/encrypted/);
    expect(problemsOf(site(tls(f("garbage.pem"))))).toEqual([
      { path: "sync.tls.keyFile", message: "not a PEM private key" },
    ]);
    expect(problemsOf(site(tls(undefined)))).toEqual([
      { path: "sync.tls.keyFile", message: "tls.certFile and tls.keyFile go together" },
    ]);
  });

  it("an mqtts:// URL needs the CA; TLS and passwords need mqtts://", () => {
    expect(problemsOf(site({ mqttUrl: "mqtts://broker:8883" }))).toEqual([
      { path: "sync.tls.caFile", message: "an mqtts:// URL needs the broker's CA (tls.caFile)" },
    ]);
    expect(
      problemsOf(
        site({
          mqttUrl: "mqtt://broker:1883",
          tls: { caFile: f("ca.crt") },
          auth: { username: "edge-ams", passwordFile: f("password") },
        }),
      ).map((p) => p.path),
    ).toEqual(["sync.mqttUrl", "sync.auth"]);
    expect(problemsOf(site({ mqttUrl: "mqtt://broker:1883" }))).toEqual([]);
  });

  it("reads the password from its file (one line), never from the config", () => {
    const sync = {
      mqttUrl: "mqtts://broker:8883",
      tls: { caFile: f("ca.crt") },
      auth: { username: "edge-ams", passwordFile: f("password") },
    };
    const config = parseSiteConfig(site(sync));
    expect(JSON.stringify(config.sync)).not.toContain("s3cret");
    const { mqtt, problems } = readSyncCredentials(config.sync!, "ams");
    expect(problems).toEqual([]);
    expect(mqtt.username).toBe("edge-ams");
    expect(mqtt.password?.toString()).toBe("s3cret-Pa55");
    expect(
      problemsOf(site({ ...sync, auth: { username: "edge-ams", passwordFile: f("empty") } })),
    ).toEqual([{ path: "sync.auth.passwordFile", message: "empty" }]);
    expect(problemsOf(site({ ...sync, auth: { username: "edge-ams" } }))[0]?.path).toBe(
      "sync.auth.passwordFile",
    );
  });

  it("warns (without refusing) about another site's identity", () => {
    const config = parseSiteConfig({
      ...site({
        mqttUrl: "mqtts://broker:8883",
        tls: { caFile: f("ca.crt"), certFile: f("edge.crt"), keyFile: f("edge.key") },
      }),
      site: "rtm",
    });
    const { warnings, problems } = readSyncCredentials(config.sync!, "rtm");
    expect(problems).toEqual([]);
    expect(warnings[0]).toMatch(/issued to edge-ams.*edge-rtm/);
  });
});
