import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgePublications, edgeSubscriptions } from "@acs/protocol";
import { describe, expect, it } from "vitest";
import { grants } from "../../src/broker/acl.js";
import { verifyPassword } from "../../src/broker/mosquitto-password.js";
import { tempDir } from "../support/fixture.js";
import { run } from "./cli-run.js";

const read = (file: string) => readFileSync(file, "utf8");
const mode = (file: string) => statSync(file).mode & 0o777;

async function storeWith(...sites: string[]): Promise<string> {
  const db = join(tempDir(), "central.db");
  expect((await run("--db", db, "init")).code).toBe(0);
  for (const site of sites) await run("--db", db, "site", "add", site, "--name", site);
  return db;
}

/** The ACL's blocks: identity -> its lines. */
function aclBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    if (line.startsWith("user ")) {
      current = [];
      blocks.set(line.slice(5), current);
    } else if (current) current.push(line);
    else throw new Error(`a line outside any user block: ${line}`);
  }
  return blocks;
}

describe("central broker-config", () => {
  it("writes a TLS-only Mosquitto configuration with one ACL block per identity", async () => {
    const db = await storeWith("ams-01", "rtm-02");
    const out = join(tempDir(), "broker");
    const result = await run(
      "broker-config",
      "--db",
      db,
      "--out",
      out,
      "--port",
      "18883",
      "--bind",
      "10.0.0.5",
    );
    expect(result, result.err).toMatchObject({ code: 0 });
    expect(result.out).toContain("broker configuration for 2 site(s), 4 identities");
    expect(result.out).toContain("kill -HUP");

    const conf = read(join(out, "mosquitto.conf"));
    const lines = conf.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines.filter((l) => l.startsWith("listener"))).toEqual(["listener 18883 10.0.0.5"]);
    for (const line of [
      "allow_anonymous false",
      "require_certificate true",
      "use_identity_as_username true",
      "use_username_as_clientid true",
      `acl_file ${join(out, "acl")}`,
      `cafile ${join(out, "certs/ca.crt")}`,
      `certfile ${join(out, "certs/server.crt")}`,
      `keyfile ${join(out, "certs/server.key")}`,
      "persistence true",
      "max_queued_messages 0",
      "message_size_limit 131072",
      "set_tcp_nodelay true",
    ])
      expect(lines).toContain(line);
    expect(conf).not.toMatch(/password_file/);
    // Listener options above the first listener would open Mosquitto's default (plain) one.
    const listenerAt = lines.indexOf("listener 18883 10.0.0.5");
    for (const option of ["use_username_as_clientid", "require_certificate", "cafile", "protocol"])
      expect(lines.findIndex((l) => l.startsWith(option))).toBeGreaterThan(listenerAt);

    const blocks = aclBlocks(read(join(out, "acl")));
    expect([...blocks.keys()]).toEqual(["central", "central-tool", "edge-ams-01", "edge-rtm-02"]);
    expect(blocks.get("edge-ams-01")).toEqual([
      ...edgeSubscriptions("ams-01").map((t) => `topic read ${t}`),
      ...edgePublications("ams-01").map((t) => `topic write ${t}`),
    ]);
    // No edge line reaches another site or uses a wildcard.
    for (const line of blocks.get("edge-rtm-02") ?? []) {
      expect(line).not.toMatch(/[+#]/);
      expect(line).not.toContain("ams-01");
    }
    expect(blocks.get("central-tool")).toEqual([
      "topic read acs/v1/sites/+/status",
      "topic read acs/v1/sites/+/commands/result",
      "topic read acs/v1/central/status",
      "topic write acs/v1/sites/+/commands",
    ]);
    expect(blocks.get("central")).toContain("topic write acs/v1/central/status");
    expect(blocks.get("central")?.every((l) => !l.includes("#"))).toBe(true);
  });

  it("after a new site, a second run updates the ACL only; unchanged files stay as they were", async () => {
    const db = await storeWith("ams-01");
    const out = join(tempDir(), "broker");
    await run("broker-config", "--db", db, "--out", out);
    const conf = read(join(out, "mosquitto.conf"));
    expect(conf).toContain("listener 8883\n");
    expect((await run("broker-config", "--db", db, "--out", out)).out).toContain("unchanged");
    await run("--db", db, "site", "add", "rtm-02", "--name", "Rotterdam");
    const again = await run("broker-config", "--db", db, "--out", out);
    expect(again.out).toContain("written: acl\n");
    expect(read(join(out, "mosquitto.conf"))).toBe(conf);
    expect([...aclBlocks(read(join(out, "acl"))).keys()]).toContain("edge-rtm-02");
  });

  it("with --auth password: a password file and one password per identity, kept across runs", async () => {
    const db = await storeWith("ams-01");
    const out = join(tempDir(), "broker");
    const first = await run(
      "broker-config",
      "--db",
      db,
      "--out",
      out,
      "--auth",
      "password",
      "--broker-dir",
      "/etc/mosquitto/acs",
    );
    expect(first, first.err).toMatchObject({ code: 0 });
    expect(first.out).toContain("new password: edge-ams-01");
    const conf = read(join(out, "mosquitto.conf"));
    expect(conf).toContain("password_file /etc/mosquitto/acs/mosquitto.passwd\n");
    expect(conf).toContain("acl_file /etc/mosquitto/acs/acl\n");
    expect(conf).toContain("require_certificate false\n");
    expect(conf).not.toContain("use_identity_as_username");
    expect(conf).toContain("use_username_as_clientid true\n");

    const passwordOf = (id: string) => read(join(out, "passwords", `${id}.password`)).trim();
    const hashes = () =>
      new Map(
        read(join(out, "mosquitto.passwd"))
          .trim()
          .split("\n")
          .map((l) => l.split(":") as [string, string]),
      );
    expect([...hashes().keys()]).toEqual(["central", "central-tool", "edge-ams-01"]);
    for (const id of ["central", "central-tool", "edge-ams-01"]) {
      expect(mode(join(out, "passwords", `${id}.password`))).toBe(0o600);
      expect(verifyPassword(passwordOf(id), hashes().get(id) ?? "")).toBe(true);
    }
    expect(mode(join(out, "mosquitto.passwd"))).toBe(0o600);
    expect(read(join(out, "acl"))).not.toContain(passwordOf("central"));

    const kept = passwordOf("edge-ams-01");
    const before = read(join(out, "mosquitto.passwd"));
    await run("--db", db, "site", "add", "rtm-02", "--name", "Rotterdam");
    const second = await run(
      "broker-config",
      "--db",
      db,
      "--out",
      out,
      "--auth",
      "password",
      "--broker-dir",
      "/etc/mosquitto/acs",
    );
    expect(second.out).toContain("new password: edge-rtm-02");
    expect(second.out).not.toContain("new password: edge-ams-01");
    expect(passwordOf("edge-ams-01")).toBe(kept);
    // The hashes already there are kept as they were (same salt): only the new line is new.
    expect(read(join(out, "mosquitto.passwd")).startsWith(before)).toBe(true);
    expect([...hashes().keys()]).toEqual(["central", "central-tool", "edge-ams-01", "edge-rtm-02"]);
  });

  it("says what is wrong in one line: no --out, no store, an unwritable directory", async () => {
    const db = await storeWith("ams-01");
    const dir = tempDir();
    const noOut = await run("broker-config", "--db", db);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/^central: --out DIR is needed/);
    const noDb = await run(
      "broker-config",
      "--db",
      join(dir, "missing.db"),
      "--out",
      join(dir, "b"),
    );
    expect(noDb).toMatchObject({
      code: 1,
      err: `central: --db ${join(dir, "missing.db")}: no such store (central --db FILE init makes one)`,
    });
    writeFileSync(join(dir, "file"), "a file, not a directory");
    const unwritable = await run("broker-config", "--db", db, "--out", join(dir, "file", "broker"));
    expect(unwritable.code).toBe(1);
    expect(unwritable.err).toMatch(/^central: cannot create .*file\/broker \(ENOTDIR\)$/);
    writeFileSync(
      join(dir, "not.db"),
      "not sqlite at all, just text that is long enough to be a header",
    );
    const notDb = await run("broker-config", "--db", join(dir, "not.db"), "--out", join(dir, "c"));
    expect(notDb.code).toBe(1);
    expect(notDb.err).toMatch(/^central: --db .*not\.db: not central's store/);
    expect(
      (await run("broker-config", "--db", db, "--out", join(dir, "d"), "--auth", "psk")).err,
    ).toMatch(/--auth cert\|password/);
    expect(
      (await run("broker-config", "--db", db, "--out", join(dir, "d"), "--port", "99999")).err,
    ).toMatch(/--port/);
  });

  it("grants come from the protocol's lists", () => {
    const [central, tool, edge] = grants(["ams-01"]);
    expect(central?.identity).toBe("central");
    expect(tool?.identity).toBe("central-tool");
    expect(edge).toEqual({
      identity: "edge-ams-01",
      read: edgeSubscriptions("ams-01"),
      write: edgePublications("ams-01"),
    });
  });
});
