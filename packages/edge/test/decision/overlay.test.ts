import { beforeEach, describe, expect, it } from "vitest";
import type { AccessIndex } from "../../src/access-index/access-index.js";
import { IndexOverlay } from "../../src/access-index/overlay.js";
import { type DecisionRequest, decide } from "../../src/decision/decide.js";
import type { SiteDelta } from "../../src/state/model.js";
import { CABLE_ROOM, card, DAY, door, HALL, indexOf, NOW_MS, now, siteState } from "./fixture.js";

const base = indexOf();
let index: AccessIndex;
let overlay: IndexOverlay;
beforeEach(() => {
  overlay = new IndexOverlay();
  index = { ...base, overlay };
});

const outcome = (request: DecisionRequest) => {
  const d = decide(request, index, now());
  return d.outcome === "deny" ? d.reason : d.outcome;
};
const delta = (parts: Partial<SiteDelta>): SiteDelta => ({
  site: "test-site",
  version: 2,
  upsert: {},
  delete: {},
  ...parts,
});
const state = siteState();
const cardRecord = (id: number) =>
  state.cards.find((c) => c.id === id) as (typeof state.cards)[number];
const employmentRecord = (id: number) =>
  state.employments.find((e) => e.id === id) as (typeof state.employments)[number];

describe("a delta over the index, before the rebuild", () => {
  it("a lost card is refused at once", () => {
    expect(outcome({ door: door(), credential: card(1001) })).toBe("grant");
    const rebuild = overlay.apply(
      delta({ upsert: { cards: [{ ...cardRecord(1001), status: "lost" }] } }),
      base,
    );
    expect(rebuild).toBe(false);
    expect(outcome({ door: door(), credential: card(1001) })).toBe("CARD_LOST");
  });

  it("a deleted card is inactive", () => {
    overlay.apply(delta({ delete: { cards: [1001] } }), base);
    expect(outcome({ door: door(), credential: card(1001) })).toBe("CARD_INACTIVE");
  });

  it("an employment ended now refuses the next read", () => {
    overlay.apply(
      delta({ upsert: { employments: [{ ...employmentRecord(1), end: NOW_MS - 1 }] } }),
      base,
    );
    expect(outcome({ door: door(), credential: card(1001) })).toBe("EMPLOYMENT_ENDED");
  });

  it("an employment ended at a later date still opens until then", () => {
    overlay.apply(
      delta({ upsert: { employments: [{ ...employmentRecord(1), end: NOW_MS + DAY }] } }),
      base,
    );
    expect(outcome({ door: door(), credential: card(1001) })).toBe("grant");
    expect(decide({ door: door(), credential: card(1001) }, index, now(NOW_MS + DAY)).outcome).toBe(
      "deny",
    );
  });

  it("a deleted employment grants nothing", () => {
    overlay.apply(delta({ delete: { employments: [1] } }), base);
    expect(outcome({ door: door(), credential: card(1001) })).toBe("EMPLOYMENT_ENDED");
  });

  it("a revoked authorization is gone; one cut short has expired", () => {
    overlay.apply(delta({ delete: { authorizations: [1] } }), base);
    expect(outcome({ door: door(), credential: card(1001) })).toBe("NO_AUTHORIZATION");
    overlay = new IndexOverlay();
    index = { ...base, overlay };
    const auth = state.authorizations.find(
      (a) => a.id === 1,
    ) as (typeof state.authorizations)[number];
    const rebuild = overlay.apply(
      delta({ upsert: { authorizations: [{ ...auth, validUntil: NOW_MS - 1 }] } }),
      base,
    );
    expect(rebuild).toBe(true);
    expect(outcome({ door: door(), credential: card(1001) })).toBe("AUTHORIZATION_EXPIRED");
  });

  it("an authorization moved to another area no longer opens the old one", () => {
    const auth = state.authorizations.find(
      (a) => a.id === 1,
    ) as (typeof state.authorizations)[number];
    overlay.apply(delta({ upsert: { authorizations: [{ ...auth, areaId: CABLE_ROOM }] } }), base);
    expect(outcome({ door: door({ areaId: HALL }), credential: card(1001) })).toBe(
      "NO_AUTHORIZATION",
    );
  });

  it("a certificate withdrawn early lapses the access that needs it", () => {
    expect(outcome({ door: door({ areaId: CABLE_ROOM }), credential: card(12001) })).toBe("grant");
    const cert = state.certificates.find((c) => c.id === 2) as (typeof state.certificates)[number];
    overlay.apply(delta({ upsert: { certificates: [{ ...cert, validUntil: NOW_MS - 1 }] } }), base);
    expect(outcome({ door: door({ areaId: CABLE_ROOM }), credential: card(12001) })).toBe(
      "CERTIFICATE_LAPSED",
    );
    overlay.apply(delta({ version: 3, delete: { certificates: [2] } }), base);
    expect(outcome({ door: door({ areaId: CABLE_ROOM }), credential: card(12001) })).toBe(
      "CERTIFICATE_MISSING",
    );
  });

  it("asks for a rebuild for what it cannot place: a new card, a card given to someone else", () => {
    const added = overlay.apply(
      delta({ upsert: { cards: [{ ...cardRecord(1001), id: 77, number: 77 }] } }),
      base,
    );
    expect(added).toBe(true);
    const moved = overlay.apply(
      delta({ version: 3, upsert: { cards: [{ ...cardRecord(1001), personId: 2 }] } }),
      base,
    );
    expect(moved).toBe(true);
    // Meanwhile the moved card grants nothing.
    expect(outcome({ door: door(), credential: card(1001) })).toBe("CARD_INACTIVE");
  });
});
