import { beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { CardService } from "../../src/iam/cards/service.js";
import { createIamContext } from "../../src/iam/context.js";
import { openIamDb } from "../../src/iam/db.js";
import { pendingTimer, TimerRunner } from "../../src/iam/timers/timers.js";
import { CentralCommands } from "../../src/state/commands.js";
import { openCentralStore } from "../../src/state/store.js";
import { cardTestbed } from "./cards-support.js";
import { actors, DAY_MS, seedEmployment, type WorkflowFixture } from "./workflow-support.js";

const bed = cardTestbed();
let f: WorkflowFixture;
let cards: CardService;
beforeEach(() => {
  ({ f, cards } = bed.current());
});
const { lastCode, outbox, refusal, request, shipped, stateCard } = bed;

describe("expiry by timers", () => {
  it("warns ahead of the expiry (engineer and partner contacts), then expires at the doors", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await shipped(seeded);
    await cards.activate(f.partnerA, card.id, { code: lastCode() });
    const validUntil = card.validUntil ?? 0;
    expect(await pendingTimer(f.ctx.db, "card.expiry-warning", card.id)).toEqual({
      dueAt: validUntil - 30 * DAY_MS,
    });
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: cards.timerHandlers(),
    });
    f.clock.set(validUntil - 31 * DAY_MS);
    expect(await runner.runDue()).toBe(0);
    f.clock.set(validUntil - 30 * DAY_MS);
    expect(await runner.runDue()).toBe(1);
    const warnings = outbox("card-expiry-warning").map((n) => n.recipient);
    expect(warnings).toEqual([expect.stringMatching(/@netbouw\.nl$/), "acc-partner-a@example.nl"]);
    expect(outbox("card-expiry-warning")[0]?.parameters.validUntil).toBe("2031-03-02");
    expect(stateCard(card.stateCardId)?.status).toBe("active");

    // Central was stopped over the expiry: a new runner and service over the same file.
    f.clock.set(validUntil + DAY_MS);
    const clock = fixedClock(f.clock.now());
    const store = openCentralStore(f.path, { clock });
    try {
      const commands = new CentralCommands(store);
      const ctx = createIamContext({ db: openIamDb(store.db), commands, clock });
      const restarted = new TimerRunner({
        db: ctx.db,
        clock,
        handlers: new CardService(ctx).timerHandlers(),
      });
      expect(await restarted.runDue()).toBe(1);
    } finally {
      store.close();
    }
    expect((await cards.get(actors.admin, card.id)).status).toBe("expired");
    expect(stateCard(card.stateCardId)?.status).toBe("expired");
  });

  it("does nothing when the card ended before its timers", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await shipped(seeded);
    await cards.deactivate(actors.admin, card.id, { reason: "defective" });
    expect(stateCard(card.stateCardId)?.status).toBe("defective");
    f.clock.set((card.validUntil ?? 0) + DAY_MS);
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: cards.timerHandlers(),
    });
    expect(await runner.runDue()).toBe(2);
    expect(outbox("card-expiry-warning")).toEqual([]);
    expect((await cards.get(actors.admin, card.id)).status).toBe("inactive");
    expect(stateCard(card.stateCardId)?.status).toBe("defective");
  });
});

describe("tenant isolation", () => {
  it("answers company A's cards to company B's partner as not found", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const card = await shipped(seeded);
    const code = lastCode();
    const b = f.partnerB;
    const notFound = { code: "NOT_FOUND" };
    expect(await refusal(cards.get(b, card.id))).toMatchObject(notFound);
    expect(await refusal(cards.activate(b, card.id, { code }))).toMatchObject(notFound);
    expect(await refusal(cards.deactivate(b, card.id, { reason: "lost" }))).toMatchObject(notFound);
    const replacement = cards.requestReplacement(b, card.id, {
      reason: "lost",
      confirmedAddressVersion: "x",
    });
    expect(await refusal(replacement)).toMatchObject(notFound);
    expect(await refusal(cards.listForPerson(b, seeded.personId))).toMatchObject(notFound);
    expect(await refusal(cards.listForEmployment(b, seeded.employmentId))).toMatchObject(notFound);
    expect(await refusal(cards.previewRequest(b, seeded.employmentId))).toMatchObject(notFound);
    const missing = await refusal(cards.get(b, 99_999));
    expect(missing.message).toBe("no card with id 99999");
    expect((await refusal(cards.get(b, card.id))).message).toBe(`no card with id ${card.id}`);
    expect((await cards.get(f.partnerA, card.id)).status).toBe("shipped");
    expect(await cards.get(f.partnerA, card.id)).toMatchObject({ activationAttemptsLeft: 3 });
  });

  it("shows a partner of a second employer only the cards requested through it", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    await request(seeded);
    await seedEmployment(f, f.companyB, { personId: seeded.personId });
    expect(await cards.listForPerson(f.partnerB, seeded.personId)).toEqual([]);
    expect(await cards.listForPerson(f.partnerA, seeded.personId)).toHaveLength(1);
  });
});
