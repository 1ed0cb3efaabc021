import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { CardService } from "../../src/iam/cards/service.js";
import { cardTestbed } from "./cards-support.js";
import {
  actors,
  DAY_MS,
  seedActiveCard,
  seedEmployment,
  type WorkflowFixture,
} from "./workflow-support.js";

const bed = cardTestbed();
let f: WorkflowFixture;
let cards: CardService;
beforeEach(() => {
  ({ f, cards } = bed.current());
});
const { lastCode, outbox, refusal, request, shipped, stateCard } = bed;

describe("an access card's life cycle", () => {
  it("goes requested -> approved -> in-production -> shipped -> active -> inactive -> returned, the state card following", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const preview = await cards.previewRequest(f.partnerA, seeded.employmentId);
    expect(preview.address).toMatchObject({ street: expect.any(String), postcode: "1234 AB" });

    const requested = await request(seeded);
    expect(requested).toMatchObject({ status: "requested", stateCardId: null, cardNumber: null });
    expect(requested.shippingAddress).toEqual(preview.address);

    const approved = await cards.approve(actors.manager, requested.id, "ok");
    expect(approved).toMatchObject({ status: "approved", decidedBy: actors.manager.accountId });
    expect(approved.stateCardId).toBeNull();

    const produced = await cards.produce(actors.admin, requested.id);
    expect(produced.status).toBe("in-production");
    const validUntil = Date.parse("2031-03-02T08:00:00Z");
    expect(produced.validUntil).toBe(validUntil);
    expect(stateCard(produced.stateCardId)).toEqual({
      person_id: seeded.statePersonId,
      format: "C1000_35",
      facility: 1000,
      number: Number(produced.cardNumber),
      status: "not-activated",
      valid_until: validUntil,
    });

    const sent = await cards.ship(actors.admin, requested.id);
    expect(sent).toMatchObject({ status: "shipped", activationAttemptsLeft: 3 });
    expect(JSON.stringify(sent)).not.toContain(lastCode());
    const sms = outbox("card-activation-code").at(-1);
    expect(sms?.recipient).toBe("+31687654321");
    expect(sms?.parameters.code).toMatch(/^\d{8}$/);
    expect(outbox("card-shipped").at(-1)?.recipient).toMatch(/^engineer\d+@netbouw\.nl$/);
    const stored = await f.ctx.db
      .selectFrom("iam_card")
      .select("activation_code_hash")
      .where("id", "=", sent.id)
      .executeTakeFirstOrThrow();
    expect(stored.activation_code_hash).toBe(createHash("sha256").update(lastCode()).digest("hex"));
    expect(stateCard(sent.stateCardId)?.status).toBe("not-activated");

    const active = await cards.activate(f.partnerA, sent.id, { code: lastCode() });
    expect(active).toMatchObject({ status: "active", activatedAt: f.clock.now() });
    expect(stateCard(sent.stateCardId)?.status).toBe("active");

    const inactive = await cards.deactivate(f.partnerA, sent.id, { reason: "other", note: "x" });
    expect(inactive.status).toBe("inactive");
    expect(stateCard(sent.stateCardId)?.status).toBe("inactive");
    expect(outbox("card-deactivated").at(-1)?.parameters).toMatchObject({ reason: "other" });

    expect((await cards.markReturned(actors.admin, sent.id)).status).toBe("returned");
    const list = await cards.listForPerson(f.partnerA, seeded.personId);
    expect(list.map((c) => c.status)).toEqual(["returned"]);
  });

  it("assigns the next free number at production, or a given free one; a taken one names its holder", async () => {
    const holder = await seedEmployment(f, f.companyA);
    const seededCard = await seedActiveCard(f, holder);
    const one = await seedEmployment(f, f.companyA);
    const two = await seedEmployment(f, f.companyA);
    const a = await request(one);
    const b = await request(two);
    await cards.approve(actors.manager, a.id);
    await cards.approve(actors.manager, b.id);
    expect((await cards.produce(actors.admin, a.id)).cardNumber).toBe(
      String(seededCard.number + 1),
    );
    const taken = await refusal(cards.produce(actors.admin, b.id, { number: seededCard.number }));
    expect(taken).toMatchObject({ code: "CONFLICT", rule: "CARD_NUMBER_TAKEN" });
    expect(taken.message).toContain(`card ${seededCard.cardId}`);
    expect((await cards.get(actors.admin, b.id)).status).toBe("approved");
    const chosen = await cards.produce(actors.admin, b.id, { number: 77 });
    expect(chosen.cardNumber).toBe("77");
    expect(stateCard(chosen.stateCardId)?.number).toBe(77);
  });

  it("refuses a wrong code (counted), then locks; a new code works", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await shipped(seeded);
    const code = lastCode();
    const wrong = code === "00000000" ? "11111111" : "00000000";
    const first = await refusal(cards.activate(f.partnerA, card.id, { code: wrong }));
    expect(first).toMatchObject({ code: "RULE", rule: "WRONG_ACTIVATION_CODE" });
    expect(first.details).toEqual({ attemptsLeft: 2 });
    expect((await cards.get(actors.admin, card.id)).activationAttemptsLeft).toBe(2);
    await refusal(cards.activate(f.partnerA, card.id, { code: wrong }));
    const last = await refusal(cards.activate(f.partnerA, card.id, { code: wrong }));
    expect(last.details).toEqual({ attemptsLeft: 0 });
    expect(await refusal(cards.activate(f.partnerA, card.id, { code }))).toMatchObject({
      rule: "ACTIVATION_LOCKED",
    });
    expect(stateCard(card.stateCardId)?.status).toBe("not-activated");
    await cards.reissueActivationCode(actors.admin, card.id);
    expect(lastCode()).not.toBe("");
    expect((await cards.activate(f.partnerA, card.id, { code: lastCode() })).status).toBe("active");
    const audit = await f.ctx.db
      .selectFrom("iam_audit")
      .select("action")
      .where("entity", "=", "card")
      .where("entity_id", "=", String(card.id))
      .execute();
    expect(audit.filter((a) => a.action === "card.activation-failed")).toHaveLength(3);
  });

  it("refuses an expired code", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await shipped(seeded);
    const code = lastCode();
    f.clock.advance(14 * DAY_MS);
    expect(await refusal(cards.activate(f.partnerA, card.id, { code }))).toMatchObject({
      rule: "ACTIVATION_CODE_EXPIRED",
    });
    expect(await refusal(cards.activate(f.partnerA, card.id, { code: "12" }))).toMatchObject({
      code: "INVALID",
    });
  });

  it("refuses activating a card that is not shipped", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await request(seeded);
    expect(await refusal(cards.activate(f.partnerA, card.id, { code: "12345678" }))).toMatchObject({
      rule: "NOT_SHIPPED",
    });
    expect(await refusal(cards.produce(actors.admin, card.id))).toMatchObject({
      rule: "NOT_APPROVED",
    });
    expect(await refusal(cards.ship(actors.admin, card.id))).toMatchObject({
      rule: "NOT_IN_PRODUCTION",
    });
    expect(await refusal(cards.markReturned(actors.admin, card.id))).toMatchObject({
      rule: "NOT_RETURNABLE",
    });
    expect(await refusal(cards.deactivate(f.partnerA, card.id, { reason: "lost" }))).toMatchObject({
      rule: "NOT_LIVE",
    });
  });
});

describe("requests and approval", () => {
  it("refuses the requester deciding its own request, a second decision, and a rejection without comment", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await request(seeded, actors.manager);
    expect(await refusal(cards.approve(actors.manager, card.id))).toMatchObject({
      code: "FORBIDDEN",
      rule: "OWN_REQUEST",
    });
    expect(await refusal(cards.approve(f.partnerA, card.id))).toMatchObject({
      code: "FORBIDDEN",
      rule: "ROLE",
    });
    expect(await refusal(cards.reject(actors.manager2, card.id, " "))).toMatchObject({
      code: "INVALID",
    });
    const rejected = await cards.reject(actors.manager2, card.id, "wrong person");
    expect(rejected).toMatchObject({ status: "rejected", decisionComment: "wrong person" });
    expect(await refusal(cards.approve(actors.manager2, card.id))).toMatchObject({
      rule: "NOT_PENDING",
    });
  });

  it("refuses an unconfirmed or changed address", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const preview = await cards.previewRequest(f.partnerA, seeded.employmentId);
    const wrong = cards.requestCard(f.partnerA, seeded.employmentId, {
      confirmedAddressVersion: "not-it",
    });
    expect(await refusal(wrong)).toMatchObject({ rule: "ADDRESS_NOT_CONFIRMED" });
    await f.ctx.db
      .updateTable("iam_employment")
      .set({ postal_choice: "private" })
      .where("id", "=", seeded.employmentId)
      .execute();
    const changed = cards.requestCard(f.partnerA, seeded.employmentId, {
      confirmedAddressVersion: preview.addressVersion,
    });
    expect(await refusal(changed)).toMatchObject({ rule: "ADDRESS_NOT_CONFIRMED" });
    const missing = await refusal(cards.requestCard(f.partnerA, seeded.employmentId, {}));
    expect(missing).toMatchObject({ code: "INVALID" });
    expect(await cards.listForEmployment(f.partnerA, seeded.employmentId)).toEqual([]);
  });

  it("refuses a card for a person with an active one (naming it), or one on its way", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const active = await seedActiveCard(f, seeded);
    const refused = await refusal(request(seeded));
    expect(refused).toMatchObject({ rule: "ACTIVE_CARD_EXISTS" });
    expect(refused.message).toContain(`card ${active.cardId}`);
    expect((await cards.previewRequest(f.partnerA, seeded.employmentId)).activeAccessCardId).toBe(
      active.cardId,
    );
    const other = await seedEmployment(f, f.companyA);
    const first = await request(other);
    const again = await refusal(request(other));
    expect(again).toMatchObject({ code: "CONFLICT", rule: "CARD_REQUEST_PENDING" });
    expect(again.details).toEqual({ existing: { cardId: first.id, status: "requested" } });
  });
});

describe("the PoP card", () => {
  it("has the same life cycle beside an active access card, and never gets a state card", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, seeded);
    const before = (
      f.commands.store.db.prepare("SELECT count(*) AS n FROM card").get() as {
        n: number;
      }
    ).n;
    const card = await shipped(seeded, "pop");
    expect(card).toMatchObject({ kind: "pop", stateCardId: null, cardNumber: "1" });
    const active = await cards.activate(f.partnerA, card.id, { code: lastCode() });
    expect(active).toMatchObject({ status: "active", stateCardId: null });
    const after = (
      f.commands.store.db.prepare("SELECT count(*) AS n FROM card").get() as {
        n: number;
      }
    ).n;
    expect(after).toBe(before);
  });

  it("is requested only on top of an active company card (COMPANY_CARD_NEEDED)", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    await expect(request(seeded, f.partnerA, "pop")).rejects.toMatchObject({
      code: "RULE",
      rule: "COMPANY_CARD_NEEDED",
    });
    await seedActiveCard(f, seeded);
    await expect(request(seeded, f.partnerA, "pop")).resolves.toMatchObject({ kind: "pop" });
  });
});
