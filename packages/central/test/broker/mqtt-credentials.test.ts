import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../src/cli/args.js";
import { mqttCredentialsOf } from "../../src/cli/mqtt-credentials.js";
import { run } from "./cli-run.js";

describe("central's broker credentials (--mqtt-ca, --mqtt-cert, --mqtt-key, a password file)", () => {
  let dir: string;
  const f = (name: string) => join(dir, name);
  const of = (args: string[], url = "mqtts://broker:8883", env: NodeJS.ProcessEnv = {}) =>
    mqttCredentialsOf(parse(args).values, url, env);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    // For the whole file (fixture's tempDir() is emptied after each test).
    dir = mkdtempSync(join(tmpdir(), "acs-credentials-"));
    await run("ca", "init", "--dir", f("ca"));
    await run("ca", "issue", "--dir", f("ca"), "--name", "central", "--out", f("central"));
    await run("ca", "issue", "--dir", f("ca"), "--name", "central-tool", "--out", f("tool"));
    writeFileSync(f("password"), "s3cret\n");
    writeFileSync(f("junk"), "junk");
  });

  it("reads the CA, the client certificate and its key; checks the broker's certificate", () => {
    const credentials = of([
      "--mqtt-ca",
      f("ca/ca.crt"),
      "--mqtt-cert",
      f("central.crt"),
      "--mqtt-key",
      f("central.key"),
    ]);
    expect(credentials?.rejectUnauthorized).toBe(true);
    expect(String(credentials?.ca)).toContain("BEGIN CERTIFICATE");
    expect(String(credentials?.cert)).toContain("BEGIN CERTIFICATE");
    expect(String(credentials?.key)).toContain("PRIVATE KEY");
    // The same from the environment.
    const fromEnv = of([], "mqtts://broker:8883", {
      MQTT_CA: f("ca/ca.crt"),
      MQTT_CERT: f("central.crt"),
      MQTT_KEY: f("central.key"),
    });
    expect(fromEnv?.cert).toEqual(credentials?.cert);
  });

  it("reads the password from its file only", () => {
    const credentials = of([
      "--mqtt-ca",
      f("ca/ca.crt"),
      "--mqtt-username",
      "central",
      "--mqtt-password-file",
      f("password"),
    ]);
    expect(credentials?.username).toBe("central");
    expect(String(credentials?.password)).toBe("s3cret");
    expect(of([], "mqtt://broker:1883")).toBeUndefined();
  });

  it("refuses what would connect in clear or fail later, naming the option", () => {
    const cases: Array<[string[], string, RegExp]> = [
      [["--mqtt-ca", f("ca/ca.crt")], "mqtt://broker:1883", /need an mqtts:\/\/ URL/],
      [
        ["--mqtt-username", "central", "--mqtt-password-file", f("password")],
        "mqtt://b:1883",
        /only over TLS/,
      ],
      [["--mqtt-cert", f("central.crt")], "mqtts://b", /--mqtt-cert and --mqtt-key go together/],
      [["--mqtt-username", "central"], "mqtts://b", /go together/],
      [
        ["--mqtt-ca", f("missing.crt")],
        "mqtts://b",
        /^--mqtt-ca: cannot read .*missing\.crt \(ENOENT\)$/,
      ],
      [["--mqtt-ca", f("junk")], "mqtts://b", /^--mqtt-ca: not a PEM certificate$/],
      [
        ["--mqtt-cert", f("junk"), "--mqtt-key", f("central.key")],
        "mqtts://b",
        /^--mqtt-cert: not a PEM certificate$/,
      ],
      [
        ["--mqtt-cert", f("central.crt"), "--mqtt-key", f("junk")],
        "mqtts://b",
        /^--mqtt-key: not a PEM private key$/,
      ],
      [
        ["--mqtt-cert", f("central.crt"), "--mqtt-key", f("tool.key")],
        "mqtts://b",
        /^--mqtt-key: not the key of the --mqtt-cert/,
      ],
    ];
    for (const [args, url, message] of cases)
      expect(() => of(args, url), args.join(" ")).toThrow(message);
  });

  it("the CLI prints the problem in one line before connecting anywhere", async () => {
    const result = await run(
      "--db",
      f("central.db"),
      "command",
      "lockdown",
      "--mode",
      "on",
      "--site",
      "ams-01",
      "--key",
      f("central.key"),
      "--mqtt",
      "mqtts://127.0.0.1:1",
      "--mqtt-ca",
      f("missing.crt"),
    );
    expect(result.code).toBe(1);
    expect(result.err).toBe(`central: --mqtt-ca: cannot read ${f("missing.crt")} (ENOENT)`);
  });
});
