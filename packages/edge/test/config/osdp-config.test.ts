import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseSiteConfig } from "../../src/config/site-config.js";

const root = join(import.meta.dirname, "..", "..", "..", "..");
const example = (name: string) =>
  JSON.parse(readFileSync(join(root, "config", name), "utf8")) as Record<string, unknown>;

function problems(config: unknown): string[] {
  try {
    parseSiteConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("OSDP buses in the site config", () => {
  it("accepts both example sites", () => {
    expect(problems(example("example-site.json"))).toEqual([]);
    const osdp = parseSiteConfig(example("example-osdp-site.json"));
    expect(osdp.readers.get("cabinet-in")?.reader.port).toBe(2);
    expect(osdp.buses[0]).toMatchObject({ kind: "osdp", requireSecure: true, replyTimeoutMs: 200 });
  });

  it("names every problem of a bad OSDP bus at once", () => {
    const config = example("example-osdp-site.json") as {
      buses: Array<Record<string, unknown>>;
      doors: Array<Record<string, unknown>>;
    };
    const bus = config.buses[0] as { pds: Array<Record<string, unknown>>; readers: unknown[] };
    delete bus.pds[0]?.keyHex;
    (bus.pds[1] as Record<string, unknown>).install = true;
    bus.pds.push({ address: 7 });
    bus.readers.push({ id: "ghost", address: 99, formats: ["H10301"] });
    (config.doors[0] as Record<string, unknown>).lock = { bus: "osdp-1", number: 0 };
    (config.doors[1] as Record<string, unknown>).terminal = { bus: "osdp-1", address: 50 };
    expect(problems(config)).toEqual(
      expect.arrayContaining([
        "buses[0].pds[0].keyHex: the bus requires the secure channel: every PD needs its key",
        "buses[0].pds[1].install: install mode is not allowed on this bus (allowInstallMode)",
        "buses[0].pds[4].address: address 7 used twice",
        "buses[0].readers[2].address: no PD at address 99",
        "doors[0].lock.address: an OSDP point needs the PD's address",
        "doors[1].terminal.address: no PD at address 50",
      ]),
    );
  });

  it("refuses a baud rate OSDP does not use and a fingerprint terminal on a bridge board", () => {
    const config = example("example-site.json") as {
      buses: Array<Record<string, unknown>>;
      doors: Array<Record<string, unknown>>;
    };
    (config.doors[0] as Record<string, unknown>).terminal = { bus: "bridge-1", address: 1 };
    const osdp = example("example-osdp-site.json") as { buses: Array<Record<string, unknown>> };
    (osdp.buses[0] as Record<string, unknown>).baudRate = 12345;
    expect(problems(config)).toContain(
      "doors[0].terminal.bus: a fingerprint terminal is on an OSDP bus",
    );
    expect(problems(osdp).some((p) => p.startsWith("buses[0].baudRate"))).toBe(true);
  });
});
