import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/accessctl-main.js";
import { openStore } from "../../src/store/store.js";
import { siteState } from "../decision/fixture.js";

describe("accessctl", () => {
  let dir: string;
  let config: string;
  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await main(["--config", config, ...args], (l) => lines.push(l));
    return { code, out: lines.join("\n") };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acs-ctl-"));
    config = join(dir, "site.json");
    writeFileSync(
      config,
      JSON.stringify({
        site: "test-site",
        store: { path: join(dir, "edge.db") },
        fingerprint: { keyHex: "11".repeat(32) },
        buses: [
          {
            id: "b1",
            kind: "bridge",
            device: "/dev/null",
            readers: [{ id: "r1", port: 0, formats: ["H10301"] }],
          },
        ],
        doors: [
          {
            id: "vault",
            name: "Vault",
            areaId: 1,
            entryReader: "r1",
            lock: { bus: "b1", number: 0 },
            fingerprint: true,
          },
        ],
      }),
    );
    // The fixture's instants are around 27 Nov 2026; shift them to now so explain sees them as intended.
    const shift = Date.now() - Date.parse("2026-11-27T09:00:00Z");
    const state = JSON.parse(JSON.stringify(siteState()), (key, value) =>
      typeof value === "number" && /^(start|end|valid(From|Until))$/.test(key)
        ? value + shift
        : value,
    );
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
    writeFileSync(join(dir, "finger.bin"), Buffer.from("a fingerprint template"));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("imports a state file and reports it in status", async () => {
    expect((await run("import", join(dir, "state.json"))).code).toBe(0);
    const status = await run("status");
    expect(status.out).toMatch(/state version\s+1/);
    expect(status.out).toMatch(/card\s+23/);
    expect(status.out).toMatch(/store disk free \d+\.\d MiB/);
    expect(status.out).toMatch(/store WAL\s+\d+\.\d MiB/);
  });

  it("explains in the support desk's order and names the missing enrollment", async () => {
    const explained = await run("explain", "--card", "H10301:18:1001", "--door", "vault");
    expect(explained.code).toBe(1);
    const checks = explained.out
      .split("\n")
      .filter((l) => /^\s+\d\./.test(l))
      .map((l) => l.trim().split(/\s+/)[1]);
    expect(checks.slice(0, 5)).toEqual([
      "authorization",
      "certificates",
      "card",
      "employment",
      "fingerprint",
    ]);
    expect(explained.out).toContain("DENY FINGERPRINT_NOT_ENROLLED");
  });

  it("enrolls a fingerprint sealed in the store, and then explains a grant", async () => {
    const enrolled = await run(
      "enroll",
      "--card",
      "H10301:18:1001",
      "--template",
      join(dir, "finger.bin"),
    );
    expect(enrolled.code).toBe(0);
    const store = openStore(join(dir, "edge.db"));
    const enrollment = store.enrollment(1, 1001);
    store.close();
    expect(enrollment).toBeDefined();
    expect(Buffer.from(enrollment!.sealedTemplate).includes(Buffer.from("fingerprint"))).toBe(
      false,
    );
    const explained = await run("explain", "--card", "id:1001", "--door", "vault");
    expect(explained.out).toContain("GRANT after a matching fingerprint");
  });

  it("refuses to enroll a card that is not active", async () => {
    const result = await run(
      "enroll",
      "--card",
      "H10301:18:1002",
      "--template",
      join(dir, "finger.bin"),
    );
    expect(result.code).toBe(2);
  });

  it("refuses a corrupt state file and an older version, naming what is wrong, and keeps its state", async () => {
    writeFileSync(join(dir, "corrupt.json"), '{"site": "test-site", "version": 2, "cards": [');
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      errors.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect((await run("import", join(dir, "corrupt.json"))).code).toBe(2);
      const old = JSON.parse(JSON.stringify(siteState()));
      writeFileSync(join(dir, "old.json"), JSON.stringify({ ...old, version: 1 }));
      expect((await run("import", join(dir, "old.json"))).code).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errors.join("")).toMatch(/JSON|position|line/i);
    expect(errors.join("")).toMatch(/version/i);
    expect((await run("status")).out).toMatch(/state version\s+1/);
  });

  it("lists events, newest first", async () => {
    const events = await run("events", "--json", "--limit", "5");
    expect(JSON.parse(events.out.split("\n")[0]!).type).toBe("fingerprint-enrolled");
  });

  it("reports an unknown door and an invalid config clearly", async () => {
    expect((await run("explain", "--card", "id:1001", "--door", "nope")).code).toBe(2);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ site: "BAD SITE" }));
    const bad = await main(["--config", join(dir, "bad.json"), "status"], () => {});
    expect(bad).toBe(2);
  });
});
