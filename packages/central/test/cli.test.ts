import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { fixedClock, SCHEMA_VERSION } from "../src/index.js";
import { NOW, tempDir } from "./support/fixture.js";

describe("central CLI", () => {
  it("runs a site's life from the shell and prints each change with its deltas", async () => {
    const dir = tempDir();
    const db = join(dir, "central.db");
    const clock = fixedClock(NOW);
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(["--db", db, ...args], (l) => out.push(l), {
        clock,
        err: (l) => err.push(l),
      });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };

    expect(await run("init")).toMatchObject({
      code: 0,
      out: `store ready, schema version ${SCHEMA_VERSION}, 0 site(s)`,
    });
    const added = await run("site", "add", "ams-bsl", "--name", "Amsterdam BSL", "--fingerprint");
    expect(added).toMatchObject({ code: 0 });
    expect(added.out).toContain("delta ams-bsl v1: upsert sitePolicy; delete -");

    writeFileSync(
      join(dir, "data.json"),
      JSON.stringify({
        sites: [{ id: "rtd-whv", name: "Rotterdam" }],
        companies: [{ id: 1, name: "Partner" }],
        persons: [{ id: 1, displayName: "J. de Vries" }],
        employments: [{ id: 1, personId: 1, companyId: 1, start: "2025-01-01T00:00:00+01:00" }],
        cards: [
          { id: 1, personId: 1, format: "H10301", facility: 18, number: 1, status: "active" },
        ],
        areas: [
          { id: 1, siteId: "ams-bsl", name: "Hall" },
          { id: 2, siteId: "rtd-whv", name: "Hall" },
        ],
        authorizations: [{ id: 1, employmentId: 1, areaId: 2 }],
      }),
    );
    const loaded = await run("load", join(dir, "data.json"));
    expect(loaded.code).toBe(0);
    expect(loaded.out).toContain("no deltas; these sites get a snapshot next: ams-bsl, rtd-whv");

    // Amsterdam needs a snapshot (it got an area by the load): take it, then deltas flow.
    const snap = await run("snapshot", "--site", "ams-bsl", "--out", join(dir, "ams.json"));
    expect(snap.out).toContain("snapshot ams-bsl v2: ");
    expect(JSON.parse(readFileSync(join(dir, "ams.json"), "utf8"))).toMatchObject({
      site: "ams-bsl",
      version: 2,
      areas: [{ id: 1, name: "Hall", requiredCertificates: [] }],
      persons: [],
    });

    const granted = await run(
      "grant",
      "--employment",
      "1",
      "--area",
      "1",
      "--until",
      "2027-01-01T00:00:00+01:00",
    );
    expect(granted.code).toBe(0);
    expect(granted.out).toContain("authorization 2: employment 1 -> area 1");
    expect(granted.out).toContain(
      "delta ams-bsl v3: upsert persons=1 cards=1 employments=1 authorizations=1; delete -",
    );

    const lost = await run(
      "card-status",
      "--card",
      "1",
      "--status",
      "lost",
      "--reason",
      "lost on site",
    );
    expect(lost.out).toContain("card 1 is lost (lost on site)");
    // Rotterdam still waits for its snapshot: only Amsterdam gets a delta.
    expect(lost.out).toContain("delta ams-bsl v4: upsert cards=1; delete -");
    expect(lost.out).not.toContain("rtd-whv");

    const ended = await run(
      "end-employment",
      "--employment",
      "1",
      "--at",
      "2026-04-01T00:00:00+02:00",
    );
    expect(ended.out).toContain("employment 1 ends at 2026-03-31T22:00:00.000Z");
    expect(ended.out).toContain("delta ams-bsl v5: upsert employments=1; delete -");

    const revoked = await run("revoke", "--authorization", "2");
    expect(revoked.out).toContain(
      "delta ams-bsl v6: upsert -; delete persons=1 cards=1 employments=1 authorizations=1",
    );

    const shown = await run("show", "site", "ams-bsl");
    expect(shown.out).toContain("version         6");
    // v2 was the snapshot: deltas 1, 3, 4, 5, 6.
    expect(shown.out).toContain("pending deltas  5");
    expect(shown.out).toContain("in force        areas=1");
    const rtd = await run("show", "site", "rtd-whv");
    expect(rtd.out).toContain("version         0 (needs a snapshot: bulk-loaded)");
    expect(rtd.out).toContain(
      "in force        persons=1 cards=1 employments=1 areas=1 authorizations=1",
    );

    const pending = await run("deltas", "--site", "ams-bsl");
    expect(pending.out.split("\n").map((l) => l.split(":")[0])).toEqual([
      "delta ams-bsl v1",
      "delta ams-bsl v3",
      "delta ams-bsl v4",
      "delta ams-bsl v5",
      "delta ams-bsl v6",
    ]);
    const json = await run("deltas", "--site", "ams-bsl", "--json", "--limit", "1");
    expect(JSON.parse(json.out)).toMatchObject({ site: "ams-bsl", version: 1 });

    expect(await run("revoke", "--authorization", "2")).toMatchObject({
      code: 1,
      err: "central: refused (CONFLICT): authorizationId: authorization 2 is already revoked",
    });
    expect((await run("grant", "--employment", "x", "--area", "1")).code).toBe(2);
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("serve", "--port", "eighty")).err).toContain("--port must be 0..65535");
    expect((await main(["init"], () => undefined, { err: () => undefined })).valueOf()).toBe(2);
  });

  const bin = fileURLToPath(new URL("../bin/central.js", import.meta.url));
  const built = existsSync(fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url)));

  it.skipIf(!built)("bin/central.js runs the built CLI", () => {
    const db = join(tempDir(), "central.db");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, "--db", db, ...args], { encoding: "utf8" });
    expect(run("site", "add", "zwl-pss", "--name", "Zwolle")).toMatchObject({
      status: 0,
      stdout: "site zwl-pss created\ndelta zwl-pss v1: upsert sitePolicy; delete -\n",
    });
    expect(run("show", "site", "nowhere")).toMatchObject({
      status: 1,
      stderr: 'central: refused (NOT_FOUND): site: no site with id "nowhere"\n',
    });
  });
});
