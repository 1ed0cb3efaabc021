import { beforeAll, describe, expect, it } from "vitest";
import type { AccessIndex } from "../../src/access-index/access-index.js";
import { type DecisionRequest, decide, type PassbackView } from "../../src/decision/decide.js";
import { DENY_REASONS, type DenyReason } from "../../src/decision/reasons.js";
import { CABLE_ROOM, card, DAY, door, indexOf, NOW_MS, now, siteState } from "./fixture.js";

let index: AccessIndex;
beforeAll(() => {
  index = indexOf();
});

const reasonOf = (request: DecisionRequest, at = now()) => {
  const d = decide(request, index, at);
  return d.outcome === "deny" ? d.reason : d.outcome;
};

const passback = (lastUseAgoMs: number | undefined, inside?: boolean): PassbackView => ({
  lastUse: () => (lastUseAgoMs === undefined ? undefined : NOW_MS - lastUseAgoMs),
  inside: () => inside,
});

/** One request per deny reason; together they cover every reason decide() can give. */
const CASES: Record<DenyReason, DecisionRequest> = {
  UNREADABLE_CREDENTIAL: {
    door: door(),
    credential: { kind: "unreadable", code: "PARITY", bits: "0101" },
  },
  UNKNOWN_CARD: { door: door(), credential: card(999) },
  CARD_LOST: { door: door(), credential: card(1002) },
  CARD_STOLEN: { door: door(), credential: card(1003) },
  CARD_DEFECTIVE: { door: door(), credential: card(1004) },
  CARD_REPLACED: { door: door(), credential: card(1005) },
  CARD_EXPIRED: { door: door(), credential: card(1009) },
  CARD_NOT_ACTIVATED: { door: door(), credential: card(1007) },
  CARD_NOT_YET_VALID: { door: door(), credential: card(1010) },
  CARD_INACTIVE: { door: door(), credential: card(1008) },
  NO_EMPLOYMENT: { door: door(), credential: card(2001) },
  EMPLOYMENT_NOT_STARTED: { door: door(), credential: card(4001) },
  EMPLOYMENT_ENDED: { door: door(), credential: card(3001) },
  NO_AUTHORIZATION: { door: door(), credential: card(5001) },
  AUTHORIZATION_NOT_YET_VALID: { door: door(), credential: card(7001) },
  AUTHORIZATION_EXPIRED: { door: door(), credential: card(6001) },
  OUTSIDE_SCHEDULE: { door: door(), credential: card(8001) },
  CERTIFICATE_MISSING: { door: door({ areaId: CABLE_ROOM }), credential: card(1001) },
  CERTIFICATE_LAPSED: { door: door({ areaId: CABLE_ROOM }), credential: card(9001) },
  DOOR_LOCKED_DOWN: { door: door({ mode: "lockdown" }), credential: card(1001) },
  DOOR_LOCKED: { door: door({ mode: "locked" }), credential: card(1001) },
  ANTI_PASSBACK: {
    door: door({ antiPassback: { kind: "timed", seconds: 60, mode: "hard" } }),
    credential: card(1001),
    passback: passback(10_000),
  },
  FINGERPRINT_NOT_ENROLLED: { door: door({ fingerprint: true }), credential: card(1001) },
  FINGERPRINT_NOT_ENROLLED_FOR_CARD: { door: door({ fingerprint: true }), credential: card(10002) },
  FINGERPRINT_NO_MATCH: {
    door: door({ fingerprint: true }),
    credential: card(11001),
    fingerprint: { kind: "match", score: 30 },
  },
  FINGERPRINT_TIMEOUT: {
    door: door({ fingerprint: true }),
    credential: card(11001),
    fingerprint: { kind: "timeout" },
  },
};

describe("decide: every deny reason", () => {
  for (const reason of DENY_REASONS) {
    it(reason, () => {
      const decision = decide(CASES[reason], index, now());
      expect(decision).toMatchObject({ outcome: "deny", reason });
      if (decision.outcome === "deny") expect(decision.message.length).toBeGreaterThan(10);
    });
  }
});

describe("decide: grants", () => {
  it("grants an active card with an active employment and an authorization for the area", () => {
    expect(decide({ door: door(), credential: card(1001) }, index, now())).toEqual({
      outcome: "grant",
      cardId: 1001,
      personId: 1,
      employmentId: 1,
      authorizationId: 1,
      antiPassbackViolation: false,
    });
  });

  it("grants the cable room with a valid KVD certificate", () => {
    expect(reasonOf({ door: door({ areaId: CABLE_ROOM }), credential: card(12001) })).toBe("grant");
  });

  it("uses the active one of two employments", () => {
    expect(decide({ door: door(), credential: card(13001) }, index, now())).toMatchObject({
      outcome: "grant",
      employmentId: 132,
    });
  });

  it("follows a schedule across midnight on a weekend night, in local time", () => {
    const saturday2330 = Date.parse("2026-11-28T22:30:00Z");
    const sunday0530 = Date.parse("2026-11-29T04:30:00Z");
    const sunday0630 = Date.parse("2026-11-29T05:30:00Z");
    expect(reasonOf({ door: door(), credential: card(8001) }, now(saturday2330))).toBe("grant");
    expect(reasonOf({ door: door(), credential: card(8001) }, now(sunday0530))).toBe("grant");
    expect(reasonOf({ door: door(), credential: card(8001) }, now(sunday0630))).toBe(
      "OUTSIDE_SCHEDULE",
    );
  });

  it("asks for a fingerprint after a card grant, then grants on a match above the threshold", () => {
    const request = { door: door({ fingerprint: true }), credential: card(11001) };
    expect(decide(request, index, now())).toMatchObject({ outcome: "fingerprint", threshold: 60 });
    expect(reasonOf({ ...request, fingerprint: { kind: "match", score: 60 } })).toBe("grant");
  });

  it("lets a soft anti-passback violation in, marked", () => {
    const decision = decide(
      {
        door: door({ antiPassback: { kind: "area", mode: "soft" } }),
        credential: card(1001),
        passback: passback(undefined, true),
      },
      index,
      now(),
    );
    expect(decision).toMatchObject({ outcome: "grant", antiPassbackViolation: true });
  });

  it("refuses a hard area anti-passback entry while inside, and an exit while outside", () => {
    const rule = { kind: "area", mode: "hard" } as const;
    expect(
      reasonOf({
        door: door({ antiPassback: rule }),
        credential: card(1001),
        passback: passback(undefined, true),
      }),
    ).toBe("ANTI_PASSBACK");
    expect(
      reasonOf({
        door: door({ antiPassback: rule, direction: "exit" }),
        credential: card(1001),
        passback: passback(undefined, false),
      }),
    ).toBe("ANTI_PASSBACK");
    expect(
      reasonOf({
        door: door({ antiPassback: rule }),
        credential: card(1001),
        passback: passback(undefined),
      }),
    ).toBe("grant");
  });

  it("requires a fingerprint everywhere when the site policy says so", () => {
    const state = siteState();
    const strict = indexOf({
      ...state,
      sitePolicy: { fingerprintRequired: true, fingerprintThreshold: 80 },
    });
    expect(decide({ door: door(), credential: card(1001) }, strict, now())).toMatchObject({
      outcome: "deny",
      reason: "FINGERPRINT_NOT_ENROLLED",
    });
    expect(decide({ door: door(), credential: card(11001) }, strict, now())).toMatchObject({
      outcome: "fingerprint",
      threshold: 80,
    });
  });
});

describe("decide: order of the rules", () => {
  it("reports the first failing rule when several fail", () => {
    // Each step breaks one more rule, from the last to the first; the earliest broken one is reported.
    const base = siteState();
    const steps: Array<
      [
        DenyReason,
        (s: ReturnType<typeof siteState>) => ReturnType<typeof siteState>,
        Partial<DecisionRequest>,
      ]
    > = [
      ["FINGERPRINT_NOT_ENROLLED", (s) => s, { door: door({ fingerprint: true }) }],
      [
        "ANTI_PASSBACK",
        (s) => s,
        {
          door: door({
            fingerprint: true,
            antiPassback: { kind: "timed", seconds: 60, mode: "hard" },
          }),
          passback: passback(1000),
        },
      ],
      [
        "DOOR_LOCKED_DOWN",
        (s) => s,
        {
          door: door({
            fingerprint: true,
            mode: "lockdown",
            antiPassback: { kind: "timed", seconds: 60, mode: "hard" },
          }),
        },
      ],
      [
        "CERTIFICATE_MISSING",
        (s) => ({
          ...s,
          areas: s.areas.map((a) => (a.id === 1 ? { ...a, requiredCertificates: ["TTG"] } : a)),
        }),
        {},
      ],
      [
        "OUTSIDE_SCHEDULE",
        (s) => ({
          ...s,
          authorizations: s.authorizations.map((a) => (a.id === 1 ? { ...a, scheduleId: 20 } : a)),
        }),
        {},
      ],
      [
        "EMPLOYMENT_ENDED",
        (s) => ({
          ...s,
          employments: s.employments.map((e) => (e.id === 1 ? { ...e, end: NOW_MS - DAY } : e)),
        }),
        {},
      ],
      [
        "CARD_LOST",
        (s) => ({
          ...s,
          cards: s.cards.map((c) => (c.id === 1001 ? { ...c, status: "lost" } : c)),
        }),
        {},
      ],
    ];
    let state = base;
    let request: DecisionRequest = { door: door(), credential: card(1001) };
    for (const [expected, breakState, breakRequest] of steps) {
      state = breakState(state);
      request = { ...request, ...breakRequest };
      const decision = decide(request, indexOf(state), now());
      expect(decision.outcome === "deny" ? decision.reason : decision.outcome).toBe(expected);
    }
  });
});
