import type { SiteDelta } from "@acs/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CARD_STATUS_VALUES,
  CentralError,
  type CentralStore,
  compileSiteState,
  compileSnapshot,
  DOOR_MODE_VALUES,
  markPublished,
} from "../src/index.js";
import { allStates, applyDelta, DAY, NOW, normalized, world } from "./support/fixture.js";

type World = ReturnType<typeof world>;

/** One random command, its arguments picked among the records that exist when it runs. */
type Step = (w: World, pick: (n: number) => number) => unknown;

const ids = (store: CentralStore, table: string): number[] =>
  store.db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];
const SITES = ["ams-bsl", "rtd-whv", "zwl-pss"];

const step = (name: string, run: Step) => ({ name, run });
const STEPS = [
  step("grant", (w, pick) => {
    const e = ids(w.store, "employment");
    const a = ids(w.store, "area");
    const s = ids(w.store, "schedule");
    const area = a[pick(a.length)] as number;
    const site = w.store.db.prepare("SELECT site_id FROM area WHERE id = ?").pluck().get(area);
    const sameSite = s.filter(
      (id) =>
        w.store.db.prepare("SELECT site_id FROM schedule WHERE id = ?").pluck().get(id) === site,
    );
    const scheduleId = pick(2) === 0 || sameSite.length === 0 ? null : (sameSite[0] as number);
    return w.cmd.grant(e[pick(e.length)] as number, area, {
      scheduleId,
      validUntil: pick(2) === 0 ? null : NOW + pick(100) * DAY,
    });
  }),
  step("revoke", (w, pick) => {
    const z = ids(w.store, "access_authorization");
    return w.cmd.revoke(z[pick(z.length)] as number);
  }),
  step("end employment", (w, pick) => {
    const e = ids(w.store, "employment");
    return w.cmd.endEmployment(e[pick(e.length)] as number, NOW + (pick(20) - 5) * DAY);
  }),
  step("card status", (w, pick) => {
    const c = ids(w.store, "card");
    return w.cmd.setCardStatus(
      c[pick(c.length)] as number,
      CARD_STATUS_VALUES[pick(CARD_STATUS_VALUES.length)] as (typeof CARD_STATUS_VALUES)[number],
      pick(2) === 0 ? undefined : `reason ${pick(3)}`,
    );
  }),
  step("issue card", (w, pick) => {
    const p = ids(w.store, "person");
    return w.cmd.issueCard({
      personId: p[pick(p.length)] as number,
      format: "H10301",
      facility: pick(256),
      number: pick(65_536),
    });
  }),
  step("certificate", (w, pick) => {
    const p = ids(w.store, "person");
    return w.cmd.addCertificate({
      personId: p[pick(p.length)] as number,
      type: ["KVD", "TTG"][pick(2)] as string,
    });
  }),
  step("new person with employment", (w, pick) => {
    const { personId } = w.cmd.createPerson({ displayName: `P. Random ${pick(1000)}` });
    const co = ids(w.store, "company");
    return w.cmd.createEmployment({ personId, companyId: co[pick(co.length)] as number });
  }),
  step("employment", (w, pick) => {
    const p = ids(w.store, "person");
    const co = ids(w.store, "company");
    return w.cmd.createEmployment({
      personId: p[pick(p.length)] as number,
      companyId: co[pick(co.length)] as number,
    });
  }),
  step("area", (w, pick) =>
    w.cmd.createArea({ siteId: SITES[pick(3)] as string, name: `Area ${pick(100)}` }),
  ),
  step("door", (w, pick) =>
    w.cmd.setDoorPolicy({
      siteId: SITES[pick(3)] as string,
      doorId: `door-${pick(3)}`,
      mode: DOOR_MODE_VALUES[pick(DOOR_MODE_VALUES.length)] as (typeof DOOR_MODE_VALUES)[number],
    }),
  ),
  step("site policy", (w, pick) =>
    w.cmd.setSitePolicy({ siteId: SITES[pick(3)] as string, fingerprintThreshold: 50 + pick(3) }),
  ),
];

function membership(store: CentralStore, site: string): unknown[] {
  return store.db
    .prepare("SELECT kind, id, hash FROM site_record WHERE site = ? ORDER BY kind, id")
    .raw(true)
    .all(site);
}

describe("compileSiteState is the sum of the deltas", () => {
  it("after any sequence of commands, every site's previous state plus its deltas is its state", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(STEPS.length - 1),
            fc.array(fc.nat(1_000_000), { minLength: 8, maxLength: 8 }),
          ),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (script) => {
          const w = world();
          let states = allStates(w.store);
          for (const [which, randoms] of script) {
            let r = 0;
            const pick = (n: number): number =>
              n <= 0 ? 0 : (randoms[r++ % randoms.length] as number) % n;
            let deltas: readonly SiteDelta[] = [];
            try {
              const run = STEPS[which]?.run ?? fail;
              deltas = (run(w, pick) as { deltas: typeof deltas }).deltas;
            } catch (error) {
              if (!(error instanceof CentralError)) throw error;
            }
            const expected = new Map(states);
            for (const d of deltas) {
              expected.set(d.site, applyDelta(expected.get(d.site) ?? fail(d.site), d));
            }
            states = allStates(w.store);
            expect(states).toEqual(expected);
          }
          for (const site of SITES) {
            // What a snapshot sends now is the same state, at the same version...
            expect(normalized(compileSnapshot(w.store, site))).toEqual(states.get(site));
            // ...and site_record already says exactly that state was sent.
            const before = membership(w.store, site);
            markPublished(w.store, site, compileSiteState(w.store, site));
            expect(membership(w.store, site)).toEqual(before);
          }
          w.store.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

function fail(what: unknown): never {
  throw new Error(`unexpected: ${String(what)}`);
}
