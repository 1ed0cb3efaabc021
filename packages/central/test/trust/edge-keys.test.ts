import { generateSigningKeyPair, keyFingerprint } from "@acs/protocol";
import { describe, expect, it } from "vitest";
import { CentralError } from "../../src/index.js";
import { EdgeKeyCache, EdgeKeyRegistry, isActive } from "../../src/trust/edge-keys.js";
import { openTestStore } from "../support/fixture.js";

function setup() {
  const t = openTestStore();
  t.cmd.createSite({ id: "ams-bsl", name: "Amsterdam Barbara Strozzilaan" });
  t.cmd.createSite({ id: "rtm-wh", name: "Rotterdam Waalhaven" });
  let now = 1_000_000;
  const registry = new EdgeKeyRegistry(t.store.db, () => now);
  return { ...t, registry, tick: (ms: number) => (now += ms), now: () => now };
}

const code = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CentralError);
    return (err as CentralError).code;
  }
  return "none";
};

describe("the edges' keys at central", () => {
  it("registers a key for a site under its site-and-fingerprint id", () => {
    const { registry } = setup();
    const pair = generateSigningKeyPair("x");
    const key = registry.register("ams-bsl", pair.publicKeyPem, { by: "admin" });
    expect(key.keyId).toBe(`ams-bsl-${keyFingerprint(pair.publicKeyPem)}`);
    expect(key).toMatchObject({ site: "ams-bsl", firstUsedAt: null, retiredAt: null });
    // The same key again for the same site: nothing new.
    expect(registry.register("ams-bsl", pair.publicKeyPem, { by: "admin" })).toEqual(key);
  });

  it("refuses a key twice for two sites, an id twice, no key at all and an unknown site", () => {
    const { registry } = setup();
    const pair = generateSigningKeyPair("x");
    registry.register("ams-bsl", pair.publicKeyPem, { by: "admin", keyId: "ams-1" });
    expect(code(() => registry.register("rtm-wh", pair.publicKeyPem, { by: "admin" }))).toBe(
      "CONFLICT",
    );
    const other = generateSigningKeyPair("y").publicKeyPem;
    expect(code(() => registry.register("rtm-wh", other, { by: "admin", keyId: "ams-1" }))).toBe(
      "CONFLICT",
    );
    expect(code(() => registry.register("ams-bsl", "not a key", { by: "admin" }))).toBe("INVALID");
    expect(code(() => registry.register("nowhere", other, { by: "admin" }))).toBe("NOT_FOUND");
    expect(code(() => registry.register("ams-bsl", other, { by: "admin", keyId: "a b" }))).toBe(
      "INVALID",
    );
  });

  it("confirms a rotation at the new key's first use: the older keys retire after the overlap", () => {
    const { registry, tick, now } = setup();
    const old = registry.register("ams-bsl", generateSigningKeyPair("a").publicKeyPem, {
      by: "admin",
    });
    tick(1000);
    const fresh = registry.register("ams-bsl", generateSigningKeyPair("b").publicKeyPem, {
      by: "admin",
    });
    const otherSite = registry.register("rtm-wh", generateSigningKeyPair("c").publicKeyPem, {
      by: "admin",
    });
    // Both accepted while the edge has not switched.
    expect(isActive(registry.get(old.keyId)!, now())).toBe(true);
    expect(registry.firstUse(fresh.keyId, 60_000)).toEqual([old.keyId]);
    expect(registry.firstUse(fresh.keyId, 60_000)).toEqual([]);
    tick(59_999);
    expect(isActive(registry.get(old.keyId)!, now())).toBe(true);
    tick(1);
    expect(isActive(registry.get(old.keyId)!, now())).toBe(false);
    expect(isActive(registry.get(fresh.keyId)!, now())).toBe(true);
    expect(isActive(registry.get(otherSite.keyId)!, now())).toBe(true);
    // Using the old key first (it was there before) retires nothing.
    expect(registry.firstUse(otherSite.keyId, 60_000)).toEqual([]);
  });

  it("retires a key at once; the cache refuses it from then on", () => {
    const { registry, now } = setup();
    const key = registry.register("ams-bsl", generateSigningKeyPair("a").publicKeyPem, {
      by: "admin",
    });
    const cache = new EdgeKeyCache(registry, now, 60_000, 0);
    expect(cache.get(key.keyId)).toBeDefined();
    registry.retire(key.keyId, "compromised");
    cache.reload();
    expect(cache.get(key.keyId)).toBeUndefined();
    expect(cache.info(key.keyId)?.retiredReason).toBe("compromised");
    expect(code(() => registry.retire("nobody", "x"))).toBe("NOT_FOUND");
  });

  it("looks a key registered by another process up on first sight, at most every missMs", () => {
    const { registry, tick, now } = setup();
    const cache = new EdgeKeyCache(registry, now, 60_000, 250);
    expect(cache.get("ams-bsl-unknown")).toBeUndefined();
    const key = registry.register("ams-bsl", generateSigningKeyPair("a").publicKeyPem, {
      by: "cli",
    });
    expect(cache.get(key.keyId)).toBeUndefined();
    tick(250);
    expect(cache.get(key.keyId)).toBeDefined();
  });
});
