import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RemoteOpener } from "../../../src/iam/helpdesk/remote-open.js";
import { EventStore } from "../../../src/service/event-store.js";
import { decision, enrolled } from "../../iam/helpdesk-support.js";
import { actors } from "../../iam/workflow-support.js";
import { tempDbPath } from "../../support/fixture.js";
import {
  type Api,
  activationCode,
  at,
  deliverCard,
  employeeWithCard,
  expectProblem,
  expectStatus,
  facts,
  grantThroughBasket,
  idem,
  physicalEntry,
  shipCard,
  startApi,
} from "./support.js";

/**
 * FAQ 1 ("our engineer cannot get in"): the helpdesk checks, in the document's order, the
 * authorizations, an active card, an active employment, and a new fingerprint for a new
 * card, and may open the door remotely after its checks. FAQ 11: a new card works only once
 * activated with the code sent apart.
 */
describe("FAQ: the helpdesk explains, opens remotely, and a new card that does not work yet", () => {
  let api: Api;
  let events: EventStore;
  let entry: number;
  const opened: string[] = [];
  const opener: RemoteOpener = {
    async open(site, doorId, reason, operator) {
      opened.push(`${site}/${doorId} by ${operator}: ${reason}`);
      return { outcome: "opened", reason: null };
    },
  };
  beforeEach(async () => {
    opened.length = 0;
    events = new EventStore(tempDbPath());
    api = await startApi({ events, remoteOpener: opener });
    const { f, call } = api;
    const door = { areaId: f.area, name: "Hoofdingang" };
    expectStatus(await call("PUT", "/sites/ams01/doors/d1", { as: actors.admin, body: door }), 201);
    entry = await physicalEntry(api, "AMS01-APPARATUURZAAL", f.area, [f.companyA]);
  });
  afterEach(async () => {
    await api.close();
    events.close();
  });

  const explain = async (who: { personId?: number; cardNumber?: string }) =>
    expectStatus(
      await api.call("POST", "/helpdesk/explain", {
        as: actors.helpdesk,
        body: { siteId: "ams01", doorId: "d1", ...who },
      }),
      200,
    );
  const statePersonOf = (personId: number) =>
    (
      api.f.commands.store.db
        .prepare("SELECT state_person_id AS id FROM iam_person WHERE id = ?")
        .get(personId) as {
        id: number;
      }
    ).id;
  /** The edge reports a fingerprint enrolled for the card; central follows the events. */
  async function enroll(personId: number, stateCardId: number) {
    events.store(
      "ams01",
      [enrolled(api.f, statePersonOf(personId), stateCardId)],
      api.f.clock.now(),
    );
    await api.server.workflow.follow();
  }

  it("checks authorization, card, employment and fingerprint in the document's order", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    const none = await explain({ personId: jan.personId });
    expect(none.checks.map((c: { check: string }) => c.check)).toEqual([
      "authorization",
      "card",
      "employment",
      "fingerprint",
      "certificates",
    ]);
    expect(none.failed).toMatchObject({ check: "authorization", ok: false });
    expect(none.verdict).toMatch(
      /^authorization: no active authorization for area "Apparatuurzaal"/,
    );

    await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    expect((await explain({ personId: jan.personId })).failed).toMatchObject({
      check: "fingerprint",
      detail: expect.stringContaining("no fingerprint enrolled"),
    });
    await enroll(jan.personId, jan.stateCardId);
    const fine = await explain({ cardNumber: jan.card.cardNumber });
    expect(fine.failed).toBeNull();
    expect(fine.verdict).toMatch(/check the reader/);

    // The end date has come; central has not done the rest yet: the employment is what fails.
    const body = { date: "2026-03-05" };
    expectStatus(
      await call("POST", `/employments/${jan.employmentId}/end`, { as: f.partnerA, body }),
      200,
    );
    f.clock.set(at("2026-03-05T08:00:00+01:00"));
    const notInForce = await explain({ personId: jan.personId });
    expect(notInForce.failed).toMatchObject({
      check: "employment",
      detail: expect.stringContaining("not in force"),
    });
    await api.server.workflow.timers.runDue();
    const ended = await explain({ personId: jan.personId });
    expect(ended.checks.map((c: { ok: boolean }) => c.ok)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(ended.failed.check).toBe("authorization");
    expect(ended.checks[2].detail).toMatch(/has ended$/);
  });

  it("sees a lost card as not active, and a new card as needing a new fingerprint", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    await enroll(jan.personId, jan.stateCardId);
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    // FAQ 8: the lost card is blocked at once by its replacement request.
    const replacement = expectStatus(
      await call("POST", `/cards/${jan.cardId}/replacement`, {
        as: f.partnerA,
        body: { reason: "lost", confirmedAddressVersion: preview.addressVersion },
        headers: idem(),
      }),
      201,
    );
    const lost = await explain({ personId: jan.personId });
    expect(lost.failed).toMatchObject({
      check: "card",
      detail: `card ${jan.card.cardNumber} is inactive, not active`,
    });

    const fresh = await deliverCard(api, replacement.id);
    const newCard = await explain({ personId: jan.personId });
    expect(newCard.card).toEqual({ id: fresh.id, number: fresh.cardNumber });
    expect(newCard.failed).toMatchObject({
      check: "fingerprint",
      detail: expect.stringContaining("a new card needs a new fingerprint"),
    });
    const enrollments = expectStatus(
      await call("GET", `/persons/${jan.personId}/enrollments`, { as: f.partnerA }),
      200,
    );
    expect(enrollments.items).toEqual([
      expect.objectContaining({
        siteId: "ams01",
        enrolledCardId: jan.stateCardId,
        currentCardId: fresh.stateCardId,
        needsNewFingerprint: true,
      }),
    ]);
    await enroll(jan.personId, fresh.stateCardId);
    expect((await explain({ personId: jan.personId })).failed).toBeNull();
  });

  it("explains a new card that does not work yet: it is not activated", async () => {
    const { f, call } = api;
    const jan = await employeeWithCard(api, f.partnerA, f.companyA, facts("Jansen"));
    await grantThroughBasket(api, f.partnerA, [jan.employmentId], entry);
    const preview = expectStatus(
      await call("GET", `/employments/${jan.employmentId}/card-request-preview`, {
        as: f.partnerA,
      }),
      200,
    );
    const replacement = expectStatus(
      await call("POST", `/cards/${jan.cardId}/replacement`, {
        as: f.partnerA,
        body: { reason: "expiring", confirmedAddressVersion: preview.addressVersion },
        headers: idem(),
      }),
      201,
    );
    const shipped = await shipCard(api, replacement.id);
    const person = statePersonOf(jan.personId);
    const denied = decision(
      f,
      { doorId: "d1", cardId: shipped.stateCardId, personId: person, outcome: "deny" },
      "CARD_NOT_ACTIVE",
    );
    events.store("ams01", [denied], f.clock.now());
    const waiting = await explain({ cardNumber: shipped.cardNumber });
    expect(waiting.failed).toMatchObject({
      check: "card",
      detail: `card ${shipped.cardNumber} is shipped, not active`,
    });
    expect(waiting.lastEvents).toEqual([
      expect.objectContaining({ outcome: "deny", reason: "CARD_NOT_ACTIVE" }),
    ]);
    // Activated with the code sent apart, the card is the current one.
    const code = activationCode(f, replacement.id);
    expectStatus(
      await call("POST", `/cards/${replacement.id}/activation`, { as: f.partnerA, body: { code } }),
      200,
    );
    expect((await explain({ cardNumber: shipped.cardNumber })).failed?.check).not.toBe("card");
  });

  it("opens a door remotely once, with the reason recorded, for the helpdesk only", async () => {
    const { f, call } = api;
    const path = "/sites/ams01/doors/d1/remote-open";
    const reason = "Monteur K. Jansen staat voor de deur, kaartlezer defect";
    const key = idem();
    const first = expectStatus(
      await call("POST", path, { as: actors.helpdesk, body: { reason }, headers: key }),
      201,
    );
    expect(first).toMatchObject({
      siteId: "ams01",
      doorId: "d1",
      reason,
      requestedBy: actors.helpdesk.accountId,
      outcome: "opened",
    });
    const retry = await call("POST", path, { as: actors.helpdesk, body: { reason }, headers: key });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(opened).toEqual([`ams01/d1 by ${actors.helpdesk.accountId}: ${reason}`]);
    const recorded = f.commands.store.db
      .prepare("SELECT reason, requested_by AS who, outcome FROM iam_remote_open")
      .all();
    expect(recorded).toEqual([{ reason, who: actors.helpdesk.accountId, outcome: "opened" }]);
    expectProblem(
      await call("POST", path, { as: f.partnerA, body: { reason }, headers: idem() }),
      403,
    );
    expectProblem(
      await call("POST", path, { as: actors.helpdesk, body: { reason: "x" }, headers: idem() }),
      422,
    );
    const unknown = "/sites/ams01/doors/d9/remote-open";
    expectProblem(
      await call("POST", unknown, { as: actors.helpdesk, body: { reason }, headers: idem() }),
      404,
    );
    expect(opened).toHaveLength(1);
  });
});
