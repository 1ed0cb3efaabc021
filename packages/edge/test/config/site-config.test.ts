import { describe, expect, it } from "vitest";
import { type ConfigError, parseSiteConfig } from "../../src/config/site-config.js";

const VALID = {
  site: "ams-bsl",
  store: { path: "/var/lib/accessd/ams-bsl.db" },
  fingerprint: { keyHex: "ab".repeat(32) },
  formats: [
    {
      name: "SITE40",
      bitLength: 40,
      fields: [
        { name: "facility", start: 1, length: 14 },
        { name: "card", start: 15, length: 24 },
      ],
      parity: [
        { bit: 0, kind: "even", covers: Array.from({ length: 19 }, (_, i) => i + 1) },
        { bit: 39, kind: "odd", covers: Array.from({ length: 19 }, (_, i) => i + 20) },
      ],
    },
  ],
  buses: [
    {
      id: "bridge-1",
      kind: "bridge",
      device: "/dev/ttyUSB0",
      readers: [
        { id: "main-in", port: 0, formats: ["H10301", "SITE40"] },
        { id: "main-out", port: 1, formats: ["H10301"] },
      ],
    },
  ],
  doors: [
    {
      id: "main",
      name: "Main entrance",
      areaId: 1,
      entryReader: "main-in",
      exitReader: "main-out",
      lock: { bus: "bridge-1", number: 0 },
      contact: { bus: "bridge-1", number: 0 },
      rex: { bus: "bridge-1", number: 1 },
      fingerprint: true,
    },
  ],
};

describe("site config", () => {
  it("parses a valid config with defaults and resolves each reader's formats in order", () => {
    const config = parseSiteConfig(VALID);
    expect(config.timezone).toBe("Europe/Amsterdam");
    expect(config.doors[0]).toMatchObject({ strikeMs: 5000, relockOnClose: true, mode: "card" });
    expect(config.readers.get("main-in")?.formats.map((f) => f.name)).toEqual(["H10301", "SITE40"]);
  });

  it("reports every problem at once, each with its path", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks a config fixture field by field
    const broken = structuredClone(VALID) as Record<string, any>;
    broken.site = "AMS BSL";
    broken.store = {};
    broken.buses[0].readers[1].port = 0;
    broken.buses[0].readers[0].formats = ["H10301", "NOPE"];
    broken.doors[0].entryReader = "ghost";
    broken.doors[0].lock.bus = "bus-x";
    broken.doors.push({ ...broken.doors[0], id: "main" });
    broken.colour = "red";
    let error: ConfigError | undefined;
    try {
      parseSiteConfig(broken);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.code).toBe("INVALID_CONFIG");
    const paths = error?.problems.map((p) => p.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["site", "store.path", "(root)"]));
    // Structural problems come first; the cross-checks are reported once the shape is right.
    broken.site = "ams-bsl";
    broken.store = { path: "x.db" };
    delete broken.colour;
    try {
      parseSiteConfig(broken);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "buses[0].readers[1].port",
        "buses[0].readers[0].formats[1]",
        "doors[0].entryReader",
        "doors[0].lock.bus",
        "doors[1].id",
      ]),
    );
  });

  it("refuses a fingerprint door without the site's template key, and a bad site format", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks a config fixture field by field
    const noKey = structuredClone(VALID) as Record<string, any>;
    delete noKey.fingerprint;
    noKey.formats[0].bitLength = 10;
    expect(() => parseSiteConfig(noKey)).toThrow(/doors\[0\]\.fingerprint[\s\S]*|formats\[0\]/);
  });
});
