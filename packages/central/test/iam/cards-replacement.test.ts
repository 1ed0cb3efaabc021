import type { SiteDelta } from "@acs/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import type { CardService } from "../../src/iam/cards/service.js";
import { cardTestbed } from "./cards-support.js";
import {
  actors,
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
} from "./workflow-support.js";

const bed = cardTestbed();
let f: WorkflowFixture;
let cards: CardService;
beforeEach(() => {
  ({ f, cards } = bed.current());
});
const { refusal } = bed;

const stateStatus = (id: number | null): string | undefined =>
  (
    f.commands.store.db.prepare("SELECT status FROM card WHERE id = ?").get(id) as
      | { status: string }
      | undefined
  )?.status;

/** The deltas of ams01 written after `afterSeq`. */
function deltasSince(afterSeq: number): SiteDelta[] {
  const rows = f.commands.store.db
    .prepare("SELECT delta FROM delta_outbox WHERE site = 'ams01' AND seq > ? ORDER BY seq")
    .all(afterSeq) as { delta: string }[];
  return rows.map((r) => JSON.parse(r.delta) as SiteDelta);
}
const lastSeq = (): number =>
  (f.commands.store.db.prepare("SELECT max(seq) AS s FROM delta_outbox").get() as { s: number }).s;

const lastCode = (): string => {
  const row = f.commands.store.db
    .prepare(
      "SELECT parameters FROM iam_notification_outbox WHERE template = 'card-activation-code' ORDER BY id DESC LIMIT 1",
    )
    .get() as { parameters: string };
  return (JSON.parse(row.parameters) as { code: string }).code;
};

/** An engineer of company A with an active card that travels to ams01 (an authorization). */
async function holder() {
  const seeded = await seedEmployment(f, f.companyA);
  const card = await seedActiveCard(f, seeded);
  const entry = await seedEntry(f, { code: `ams01-${seeded.employmentId}` }, [f.companyA]);
  await seedAuthorization(f, seeded, entry);
  return { ...seeded, ...card };
}

async function expireSeeded(h: { cardId: number; stateCardId: number }) {
  f.commands.setCardStatus(h.stateCardId, "expired");
  await f.ctx.db
    .updateTable("iam_card")
    .set({ status: "expired" })
    .where("id", "=", h.cardId)
    .execute();
}

async function replace(cardId: number, employmentId: number, reason: string) {
  const { addressVersion } = await cards.previewRequest(f.partnerA, employmentId);
  return cards.requestReplacement(f.partnerA, cardId, {
    reason,
    note: "engineer reported it",
    confirmedAddressVersion: addressVersion,
  });
}

/** Approval, production and shipping of a requested card; then activation with its code. */
async function deliverAndActivate(cardId: number) {
  await cards.approve(actors.manager, cardId);
  await cards.produce(actors.admin, cardId);
  await cards.ship(actors.admin, cardId);
  return cards.activate(f.partnerA, cardId, { code: lastCode() });
}

describe("a replacement for a lost card", () => {
  it("deactivates the old card at once, at central and at the doors of the holder's site", async () => {
    const h = await holder();
    const seq = lastSeq();
    const created = await replace(h.cardId, h.employmentId, "lost");
    expect(created).toMatchObject({
      status: "requested",
      replacesCardId: h.cardId,
      replacementReason: "lost",
      requestNote: "engineer reported it",
      employmentId: h.employmentId,
    });
    const old = await cards.get(actors.admin, h.cardId);
    expect(old.status).toBe("inactive");
    expect(old.deactivationReason).toContain("lost");
    expect(stateStatus(h.stateCardId)).toBe("lost");
    const cardsSent = deltasSince(seq).flatMap((d) => d.upsert.cards ?? []);
    expect(cardsSent).toContainEqual(
      expect.objectContaining({ id: h.stateCardId, status: "lost" }),
    );

    const active = await deliverAndActivate(created.id);
    expect(active.status).toBe("active");
    expect(stateStatus(active.stateCardId)).toBe("active");
    expect(stateStatus(h.stateCardId)).toBe("lost");
  });

  it("changes nothing when refused (the address not confirmed)", async () => {
    const h = await holder();
    const seq = lastSeq();
    const refused = cards.requestReplacement(f.partnerA, h.cardId, {
      reason: "stolen",
      confirmedAddressVersion: "stale",
    });
    expect(await refusal(refused)).toMatchObject({ rule: "ADDRESS_NOT_CONFIRMED" });
    expect(stateStatus(h.stateCardId)).toBe("active");
    expect(deltasSince(seq)).toEqual([]);
    expect(await cards.listForPerson(f.partnerA, h.personId)).toHaveLength(1);
  });
});

describe("a replacement for a damaged card", () => {
  it("keeps the old card valid until the new one is activated, then replaces it in that commit", async () => {
    const h = await holder();
    const created = await replace(h.cardId, h.employmentId, "damaged");
    expect(stateStatus(h.stateCardId)).toBe("active");
    await cards.approve(actors.manager, created.id);
    const produced = await cards.produce(actors.admin, created.id);
    await cards.ship(actors.admin, created.id);
    expect((await cards.get(actors.admin, h.cardId)).status).toBe("active");
    expect(stateStatus(h.stateCardId)).toBe("active");
    expect(stateStatus(produced.stateCardId)).toBe("not-activated");

    const seq = lastSeq();
    await cards.activate(f.partnerA, created.id, { code: lastCode() });
    expect(stateStatus(h.stateCardId)).toBe("replaced");
    expect(stateStatus(produced.stateCardId)).toBe("active");
    const old = await cards.get(actors.admin, h.cardId);
    expect(old).toMatchObject({
      status: "inactive",
      deactivationReason: `replaced by card ${created.id}`,
    });
    const sent = deltasSince(seq).flatMap((d) => d.upsert.cards ?? []);
    expect(sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: h.stateCardId, status: "replaced" }),
        expect.objectContaining({ id: produced.stateCardId, status: "active" }),
      ]),
    );
  });

  it("leaves the old card active when the replacement is rejected", async () => {
    const h = await holder();
    const created = await replace(h.cardId, h.employmentId, "name-change");
    await cards.reject(actors.manager, created.id, "name unchanged in the register");
    expect((await cards.get(actors.admin, h.cardId)).status).toBe("active");
    expect(stateStatus(h.stateCardId)).toBe("active");
    const again = await replace(h.cardId, h.employmentId, "expiring");
    expect(again.replacesCardId).toBe(h.cardId);
  });
});

describe("replacement refusals", () => {
  it("names the replacement already on its way", async () => {
    const h = await holder();
    const first = await replace(h.cardId, h.employmentId, "damaged");
    const second = await refusal(replace(h.cardId, h.employmentId, "damaged"));
    expect(second).toMatchObject({ code: "CONFLICT", rule: "REPLACEMENT_PENDING" });
    expect(second.details).toEqual({ existing: { cardId: first.id, status: "requested" } });
    expect(second.message).toContain(`card ${first.id}`);
  });

  it("says a card already replaced was replaced, by which card", async () => {
    const h = await holder();
    const created = await replace(h.cardId, h.employmentId, "defective");
    await deliverAndActivate(created.id);
    const refused = await refusal(replace(h.cardId, h.employmentId, "lost"));
    expect(refused).toMatchObject({ code: "RULE", rule: "REPLACEMENT_NOT_POSSIBLE" });
    expect(refused.message).toContain(`replaced by card ${created.id}`);
  });

  it("refuses a card not activated yet (activate it), unless it never arrived (lost)", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const { addressVersion } = await cards.previewRequest(f.partnerA, seeded.employmentId);
    const card = await cards.requestCard(f.partnerA, seeded.employmentId, {
      confirmedAddressVersion: addressVersion,
    });
    const early = await refusal(replace(card.id, seeded.employmentId, "lost"));
    expect(early).toMatchObject({ rule: "REPLACEMENT_NOT_POSSIBLE" });
    expect(early.message).toContain("not active yet");
    await cards.approve(actors.manager, card.id);
    await cards.produce(actors.admin, card.id);
    const shipped = await cards.ship(actors.admin, card.id);
    const damaged = await refusal(replace(card.id, seeded.employmentId, "damaged"));
    expect(damaged).toMatchObject({ rule: "REPLACEMENT_NOT_POSSIBLE" });
    expect(damaged.message).toContain("activate it");
    expect(damaged.message).toContain("report it lost");
    const lost = await replace(card.id, seeded.employmentId, "lost");
    expect(lost.replacesCardId).toBe(card.id);
    expect(stateStatus(shipped.stateCardId)).toBe("lost");
  });

  it("replaces an expired card (always possible), but not once another card is active", async () => {
    const h = await holder();
    await expireSeeded(h);
    const created = await replace(h.cardId, h.employmentId, "expiring");
    expect(created.replacesCardId).toBe(h.cardId);

    const g = await holder();
    await expireSeeded(g);
    const newer = await seedActiveCard(f, g);
    const refused = await refusal(replace(g.cardId, g.employmentId, "expiring"));
    expect(refused).toMatchObject({ rule: "REPLACEMENT_NOT_POSSIBLE" });
    expect(refused.message).toContain(`active card ${newer.cardId}`);
  });

  it("refuses an unknown reason with its path", async () => {
    const h = await holder();
    const refused = await refusal(
      cards.requestReplacement(f.partnerA, h.cardId, {
        reason: "bored",
        confirmedAddressVersion: "",
      }),
    );
    expect(refused).toMatchObject({ code: "INVALID" });
    expect(
      (refused as unknown as { problems: { path: string }[] }).problems.map((p) => p.path),
    ).toEqual(["reason", "confirmedAddressVersion"]);
  });
});
