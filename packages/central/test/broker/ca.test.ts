import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/fixture.js";
import { run } from "./cli-run.js";

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

const cert = (file: string) => new X509Certificate(readFileSync(file));
const mode = (file: string) => statSync(file).mode & 0o777;

describe("central ca", () => {
  it("makes a CA once, then server and client certificates it signed", async () => {
    const dir = tempDir();
    const ca = join(dir, "ca");
    expect(await run("ca", "init", "--dir", ca, "--days", "30")).toMatchObject({ code: 0 });
    const root = cert(join(ca, "ca.crt"));
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: "prime256v1" });
    expect(mode(join(ca, "ca.key"))).toBe(0o600);
    expect(Date.parse(root.validTo) - Date.now()).toBeLessThan(31 * 86_400_000);
    // A second init would orphan every certificate issued so far.
    const again = await run("ca", "init", "--dir", ca);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^central: .*ca\.key exists/);

    const server = join(dir, "server");
    const issued = await run(
      "ca",
      "issue",
      "--dir",
      ca,
      "--name",
      "broker.example",
      "--server",
      "--host",
      "broker.example",
      "--host",
      "127.0.0.1",
      "--host",
      "::1",
      "--out",
      server,
    );
    expect(issued, issued.err).toMatchObject({ code: 0 });
    const s = cert(`${server}.crt`);
    expect(s.checkIssued(root)).toBe(true);
    expect(s.verify(root.publicKey)).toBe(true);
    expect(s.ca).toBe(false);
    expect(s.keyUsage).toEqual([SERVER_AUTH]);
    expect(s.subjectAltName).toBe(
      "DNS:broker.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(s.checkHost("broker.example")).toBe("broker.example");
    expect(s.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(mode(`${server}.key`)).toBe(0o600);

    const edge = join(dir, "clients", "edge-ams-01");
    expect(
      await run("ca", "issue", "--dir", ca, "--name", "edge-ams-01", "--out", edge),
    ).toMatchObject({ code: 0 });
    const e = cert(`${edge}.crt`);
    expect(e.subject).toBe("CN=edge-ams-01");
    expect(e.issuer).toBe(root.subject);
    expect(e.keyUsage).toEqual([CLIENT_AUTH]);
    expect(e.subjectAltName).toBeUndefined();
    expect(e.verify(root.publicKey)).toBe(true);
    expect(
      e.checkPrivateKey(
        (await import("node:crypto")).createPrivateKey(readFileSync(`${edge}.key`)),
      ),
    ).toBe(true);
    // Not beyond the CA.
    expect(Date.parse(e.validTo)).toBeLessThanOrEqual(Date.parse(root.validTo));
  });

  it("refuses what would make a useless or dangerous certificate, with one clear line", async () => {
    const dir = tempDir();
    const ca = join(dir, "ca");
    const noCa = await run(
      "ca",
      "issue",
      "--dir",
      ca,
      "--name",
      "central",
      "--out",
      join(dir, "c"),
    );
    expect(noCa).toMatchObject({
      code: 1,
      err: `central: no CA in ${ca}: run \`central ca init --dir ${ca}\` first`,
    });
    await run("ca", "init", "--dir", ca);
    const cases: Array<[string[], RegExp]> = [
      [
        ["--name", "edge-AMS", "--out", join(dir, "x")],
        /an identity: edge-<site>, central or central-tool/,
      ],
      [["--name", "root", "--out", join(dir, "x")], /an identity/],
      [["--name", "broker", "--server", "--out", join(dir, "x")], /needs --host/],
      [
        ["--name", "broker", "--server", "--host", "bad host!", "--out", join(dir, "x")],
        /not a DNS name or an IP/,
      ],
      [
        ["--name", "central", "--host", "x.example", "--out", join(dir, "x")],
        /--host is for --server/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run("ca", "issue", "--dir", ca, ...args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.err).toMatch(message);
      expect(result.err).not.toMatch(/\n\s+at /);
    }
    const usage = await run("ca", "issue", "--dir", ca, "--name", "central");
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^central: --out PREFIX is needed/);
    expect((await run("ca", "init")).err).toMatch(/^central: --dir DIR is needed/);
    expect((await run("ca", "init", "--dir", join(dir, "d"), "--days", "0")).err).toMatch(/--days/);

    await run("ca", "issue", "--dir", ca, "--name", "central", "--out", join(dir, "central"));
    const twice = await run(
      "ca",
      "issue",
      "--dir",
      ca,
      "--name",
      "central",
      "--out",
      join(dir, "central"),
    );
    expect(twice).toMatchObject({ code: 1 });
    expect(twice.err).toMatch(/central\.key exists: remove it to issue anew/);
  });
});
