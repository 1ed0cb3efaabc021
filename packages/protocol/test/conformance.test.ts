import { fileURLToPath } from "node:url";
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { ACS_DESCRIPTOR } from "../src/acs-descriptor.js";
import {
  CARD_STATUSES,
  DOOR_MODES,
  type DoorPolicy,
  decodeDelta,
  decodeSiteState,
  encodeDelta,
  encodeSiteState,
  type SiteDelta,
  type SiteState,
} from "../src/index.js";
import * as arb from "./arbitraries.js";

/**
 * The hand-written SiteState / SiteDelta codec against protobufjs reading
 * proto/acs.proto itself: the same message gives the same bytes, and what protobufjs
 * encodes the codec decodes. So the .proto is the contract, for any other implementation.
 */

const protoPath = fileURLToPath(new URL("../proto/acs.proto", import.meta.url));
const root = protobuf.loadSync(protoPath);
const SiteStateType = root.lookupType("acs.v1.SiteState");
const SiteDeltaType = root.lookupType("acs.v1.SiteDelta");

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

const cardToProto = (c: SiteState["cards"][number]) => ({
  ...c,
  status: CARD_STATUSES.indexOf(c.status) + 1,
});
const doorPolicyToProto = (d: DoorPolicy) => ({ ...d, mode: DOOR_MODES.indexOf(d.mode) + 1 });

function stateToProto(s: SiteState): object {
  return {
    ...s,
    cards: s.cards.map(cardToProto),
    doorPolicies: s.doorPolicies.map(doorPolicyToProto),
  };
}

function deltaToProto(d: SiteDelta): object {
  const some = (lists: object) =>
    Object.values(lists).some((l) => Array.isArray(l) && l.length > 0);
  return {
    site: d.site,
    version: d.version,
    sitePolicy: d.sitePolicy,
    partial: d.partial,
    upserts: some(d.upsert)
      ? {
          ...d.upsert,
          cards: d.upsert.cards?.map(cardToProto),
          doorPolicies: d.upsert.doorPolicies?.map(doorPolicyToProto),
        }
      : undefined,
    deletes: some(d.delete) ? d.delete : undefined,
  };
}

describe("conformance with proto/acs.proto", () => {
  it("the bundled descriptor is proto/acs.proto (else run: pnpm --filter @acs/protocol gen:proto)", () => {
    const fresh = protobuf.loadSync(protoPath).toJSON({ keepComments: false });
    expect(JSON.parse(JSON.stringify(ACS_DESCRIPTOR))).toEqual(JSON.parse(JSON.stringify(fresh)));
  });

  it("encodeSiteState gives protobufjs's bytes, and decodes protobufjs's bytes", () => {
    fc.assert(
      fc.property(arb.siteState, (state) => {
        const theirs = SiteStateType.encode(stateToProto(state)).finish();
        expect(hex(encodeSiteState(state))).toBe(hex(theirs));
        expect(decodeSiteState(theirs)).toStrictEqual(state);
      }),
      { numRuns: 200 },
    );
  });

  it("encodeDelta gives protobufjs's bytes, and decodes protobufjs's bytes", () => {
    fc.assert(
      fc.property(arb.siteDelta, (delta) => {
        const theirs = SiteDeltaType.encode(deltaToProto(delta)).finish();
        expect(hex(encodeDelta(delta))).toBe(hex(theirs));
        expect(decodeDelta(theirs)).toStrictEqual(arb.canonicalDelta(delta));
      }),
      { numRuns: 200 },
    );
  });

  it("protobufjs reads what encodeSiteState writes", () => {
    fc.assert(
      fc.property(arb.siteState, (state) => {
        const message = SiteStateType.decode(encodeSiteState(state));
        const object = SiteStateType.toObject(message, {
          longs: Number,
          enums: Number,
          arrays: true,
        });
        expect(object.site).toBe(state.site);
        expect(object.cards).toHaveLength(state.cards.length);
        for (const [i, card] of state.cards.entries()) {
          expect(object.cards[i].id).toBe(card.id);
          expect(object.cards[i].status).toBe(CARD_STATUSES.indexOf(card.status) + 1);
          expect(object.cards[i].validFrom ?? null).toBe(card.validFrom);
        }
      }),
      { numRuns: 50 },
    );
  });
});
