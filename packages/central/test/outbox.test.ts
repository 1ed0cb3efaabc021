import { describe, expect, it } from "vitest";
import { CentralError, compileDeltas } from "../src/index.js";
import { NOW, openTestStore, world } from "./support/fixture.js";

describe("site versions", () => {
  it("count per site, one per delta, from 1 at the site's creation", () => {
    const { store, cmd } = openTestStore();
    expect(cmd.createSite({ id: "a", name: "A" }).deltas.map((d) => d.version)).toEqual([1]);
    expect(cmd.createSite({ id: "b", name: "B" }).deltas.map((d) => d.version)).toEqual([1]);
    cmd.createArea({ siteId: "a", name: "Hall" });
    cmd.createArea({ siteId: "a", name: "Roof" });
    cmd.createArea({ siteId: "b", name: "Hall" });
    expect(store.site("a")?.version).toBe(3);
    expect(store.site("b")?.version).toBe(2);
    const pending = store.pendingDeltas(100);
    expect(pending.map((p) => `${p.site}:${p.version}`)).toEqual([
      "a:1",
      "b:1",
      "a:2",
      "a:3",
      "b:2",
    ]);
  });

  it("the world's sites are at the versions their changes made", () => {
    const { store } = world();
    // ams: created, 2 areas, schedule, 2 grants; rtd: created, area, grant; zwl: created, area.
    expect(store.sites().map((s) => [s.id, s.version])).toEqual([
      ["ams-bsl", 6],
      ["rtd-whv", 3],
      ["zwl-pss", 2],
    ]);
  });
});

describe("delta outbox", () => {
  it("holds every delta a command returned, until marked published", () => {
    const { store, cmd, ids, clock } = world();
    const before = store.pendingDeltaCount();
    clock.set(NOW + 5000);
    const { deltas } = cmd.setCardStatus(ids.c2, "stolen");
    expect(store.pendingDeltaCount()).toBe(before + 2);
    for (const d of deltas) {
      const stored = store.delta(d.site, d.version);
      expect(stored?.delta).toEqual(d);
      expect(stored?.createdAt).toBe(NOW + 5000);
      expect(stored?.publishedAt).toBeNull();
      expect(stored?.upserts).toBe(1);
      expect(stored?.deletes).toBe(0);
    }
    const tail = store.pendingDeltas(1000).slice(-2);
    expect(tail.map((p) => p.delta)).toEqual(deltas);

    expect(store.markDeltaPublished("ams-bsl", deltas[0]?.version ?? 0, NOW + 6000)).toBe(true);
    expect(store.markDeltaPublished("ams-bsl", deltas[0]?.version ?? 0, NOW + 7000)).toBe(false);
    expect(store.delta("ams-bsl", deltas[0]?.version ?? 0)?.publishedAt).toBe(NOW + 6000);
    expect(store.pendingDeltas(1000, "ams-bsl").some((p) => p.version === deltas[0]?.version)).toBe(
      false,
    );
    expect(store.pendingDeltaCount()).toBe(before + 1);
    expect(store.markDeltaPublished("nowhere", 1)).toBe(false);
  });

  it("gives pending deltas in commit order, per site in version order, up to a limit", () => {
    const { store } = world();
    const all = store.pendingDeltas(10_000);
    expect(store.pendingDeltas(3)).toEqual(all.slice(0, 3));
    for (const site of ["ams-bsl", "rtd-whv", "zwl-pss"]) {
      const versions = all.filter((p) => p.site === site).map((p) => p.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    for (const p of all) store.markDeltaPublished(p.site, p.version);
    expect(store.pendingDeltas(10)).toEqual([]);
    expect(store.prunePublishedDeltas(NOW + 1)).toBe(all.length);
  });

  it("survives closing and reopening the store (a publisher after a crash sends them)", () => {
    const { store, cmd, ids } = world();
    const path = store.db.name;
    const { deltas } = cmd.revoke(ids.z3);
    store.close();
    const again = openTestStore(path);
    const pending = again.store.pendingDeltas(1000, "rtd-whv");
    expect(pending.at(-1)?.delta).toEqual(deltas[0]);
  });
});

describe("one transaction per command", () => {
  it("a refused command changes nothing and announces nothing", () => {
    const { store, cmd, ids } = world();
    const versions = store.sites().map((s) => s.version);
    const pending = store.pendingDeltaCount();
    // Rotterdam's area with Amsterdam's schedule: refused after the employment was found.
    expect(() => cmd.grant(ids.e3, ids.rtdHall, { scheduleId: ids.amsOffice })).toThrow(
      expect.objectContaining({ code: "INVALID", field: "scheduleId" }),
    );
    expect(store.sites().map((s) => s.version)).toEqual(versions);
    expect(store.pendingDeltaCount()).toBe(pending);
    expect(store.db.prepare("SELECT count(*) FROM access_authorization").pluck().get()).toBe(3);
  });

  it("a failure while compiling the deltas undoes the command's change", () => {
    const { store, cmd, ids } = world();
    const versions = store.sites().map((s) => s.version);
    const pending = store.pendingDeltaCount();
    const original = store.statement.bind(store);
    store.statement = ((sql: string) => {
      if (sql.startsWith("INSERT INTO delta_outbox")) throw new Error("disk full");
      return original(sql);
    }) as typeof store.statement;
    expect(() => cmd.revoke(ids.z1)).toThrow("disk full");
    expect(() => cmd.setCardStatus(ids.c2, "lost")).toThrow("disk full");
    store.statement = original;
    const z1 = store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .pluck()
      .get(ids.z1);
    expect(z1).toBeNull();
    expect(store.db.prepare("SELECT status FROM card WHERE id = ?").pluck().get(ids.c2)).toBe(
      "active",
    );
    expect(store.sites().map((s) => s.version)).toEqual(versions);
    expect(store.pendingDeltaCount()).toBe(pending);
    expect(
      store.db.prepare("SELECT count(*) FROM site_record WHERE site = 'ams-bsl'").pluck().get(),
    ).toBeGreaterThan(0);
    // And the same command then goes through with the same version numbers.
    expect(cmd.revoke(ids.z1).deltas.map((d) => [d.site, d.version])).toEqual([
      ["ams-bsl", (versions[0] ?? 0) + 1],
    ]);
  });

  it("compileDeltas joins the caller's transaction", () => {
    const { store, ids } = world();
    const pending = store.pendingDeltaCount();
    expect(() =>
      store.transaction(() => {
        store.db.prepare("UPDATE card SET status = 'expired' WHERE id = ?").run(ids.c1);
        expect(compileDeltas(store, [{ kind: "cards", id: ids.c1 }])).toHaveLength(1);
        throw new CentralError("CONFLICT", null, "changed my mind");
      }),
    ).toThrow("changed my mind");
    expect(store.pendingDeltaCount()).toBe(pending);
    expect(store.site("ams-bsl")?.version).toBe(6);
  });
});
