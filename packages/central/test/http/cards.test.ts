import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCardRoutes } from "../../src/http/card-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { accountDb } from "../../src/iam/accounts/db.js";
import { CardService } from "../../src/iam/cards/service.js";
import { drainNotifications, MemorySender } from "../../src/iam/notifications/index.js";
import {
  type ApiCaller,
  type ApiResponse,
  actors,
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
  workflowServer,
} from "../iam/workflow-support.js";

describe("card routes over a real port and a real SQLite file", () => {
  let f: WorkflowFixture;
  let app: ApiServer;
  let call: ApiCaller;
  const sender = new MemorySender();
  let keys = 0;
  const key = () => ({ "idempotency-key": `card-key-${++keys}` });

  beforeAll(async () => {
    f = await workflowFixture();
    const cards = new CardService(f.ctx);
    ({ app, call } = await workflowServer(f, (server, context) =>
      registerCardRoutes(server, { context, cards }),
    ));
  });

  afterAll(async () => {
    await app?.close();
    f?.close();
  });

  function problem(response: ApiResponse, status: number, rule?: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    if (rule !== undefined) expect(response.body.rule).toBe(rule);
    return response.body;
  }

  /** The code of the newest activation SMS, as the engineer's phone gets it. */
  async function smsCode(): Promise<string> {
    await drainNotifications(accountDb(f.ctx.db), sender, f.clock);
    return sender.last("card-activation-code")?.parameters.code ?? "";
  }

  async function requestCard(employmentId: number, as = f.partnerA) {
    const preview = await call("GET", `/employments/${employmentId}/card-request-preview`, { as });
    expect(preview.status).toBe(200);
    return call("POST", `/employments/${employmentId}/card-requests`, {
      as,
      headers: key(),
      body: { kind: "access", confirmedAddressVersion: preview.body.addressVersion },
    });
  }

  async function approve(cardId: number, as = actors.manager) {
    const current = await call("GET", `/cards/${cardId}`, { as });
    return call("POST", `/cards/${cardId}/approval`, {
      as,
      headers: { "if-match": current.headers.get("etag") ?? "" },
      body: { decision: "approve" },
    });
  }

  it("runs the life cycle: request, approval, production, shipment, activation", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const created = await requestCard(seeded.employmentId);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/cards/${created.body.id}`);
    expect(created.body).toMatchObject({ status: "requested", kind: "access", stateCardId: null });
    const id = created.body.id as number;

    const read = await call("GET", `/cards/${id}`, { as: f.partnerA });
    const tag = read.headers.get("etag") ?? "";
    expect(tag).toMatch(/^"[^"]+"$/);
    const again = await call("GET", `/cards/${id}`, {
      as: f.partnerA,
      headers: { "if-none-match": tag },
    });
    expect(again.status).toBe(304);

    expect((await approve(id)).body.status).toBe("approved");
    const produced = await call("POST", `/cards/${id}/production`, { as: actors.admin, body: {} });
    expect(produced.status).toBe(200);
    expect(produced.body).toMatchObject({ status: "in-production", cardNumber: "1" });
    expect(produced.body.validUntil).toBe("2031-03-02T08:00:00.000Z");
    const shipped = await call("POST", `/cards/${id}/shipment`, { as: actors.admin });
    expect(shipped.body).toMatchObject({ status: "shipped", activationAttemptsLeft: 3 });
    const code = await smsCode();
    expect(code).toMatch(/^\d{8}$/);
    expect(JSON.stringify(shipped.body)).not.toContain(code);

    const wrong = code === "00000000" ? "99999999" : "00000000";
    const refused = await call("POST", `/cards/${id}/activation`, {
      as: f.partnerA,
      body: { code: wrong },
    });
    expect(problem(refused, 409, "WRONG_ACTIVATION_CODE").detail).toContain("2 attempt(s) left");
    const active = await call("POST", `/cards/${id}/activation`, {
      as: f.partnerA,
      body: { code },
    });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ status: "active", activationAttemptsLeft: null });

    const list = await call("GET", `/persons/${seeded.personId}/cards`, { as: f.partnerA });
    expect(list.body.items.map((c: { id: number }) => c.id)).toEqual([id]);
    const ofEmployment = await call("GET", `/employments/${seeded.employmentId}/cards`, {
      as: f.partnerA,
    });
    expect(ofEmployment.body.items).toHaveLength(1);

    const deactivated = await call("POST", `/cards/${id}/deactivation`, {
      as: f.partnerA,
      body: { reason: "stolen" },
    });
    expect(deactivated.body).toMatchObject({ status: "inactive", deactivationReason: "stolen" });
    const returned = await call("POST", `/cards/${id}/return`, { as: actors.admin });
    expect(returned.body).toMatchObject({ status: "returned", toReturn: false });
  });

  it("documents every card route in the OpenAPI document", async () => {
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const ids = Object.values(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap((p) => Object.values(p))
      .map((op) => (op as { operationId?: string }).operationId);
    for (const id of ["previewCardRequest", "requestCard", "getCard", "listPersonCards"]) {
      expect(ids).toContain(id);
    }
    for (const id of ["decideCard", "produceCard", "shipCard", "activateCard"]) {
      expect(ids).toContain(id);
    }
    for (const id of ["reissueCardActivationCode", "requestCardReplacement", "deactivateCard"]) {
      expect(ids).toContain(id);
    }
    expect(ids).toContain("registerCardReturn");
    expect(doc.body.components.schemas.Card).toBeDefined();
  });

  it("answers an idempotent replay of a card request with the first answer", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const preview = await call("GET", `/employments/${seeded.employmentId}/card-request-preview`, {
      as: f.partnerA,
    });
    const headers = key();
    const body = { confirmedAddressVersion: preview.body.addressVersion };
    const path = `/employments/${seeded.employmentId}/card-requests`;
    const first = await call("POST", path, { as: f.partnerA, headers, body });
    const second = await call("POST", path, { as: f.partnerA, headers, body });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("location")).toBe(`/cards/${first.body.id}`);
    expect(second.body.id).toBe(first.body.id);
    const noKey = await call("POST", path, { as: f.partnerA, body });
    problem(noKey, 400);
  });

  it("replaces a lost card: the old one is refused at the doors at once", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const old = await seedActiveCard(f, seeded);
    await seedAuthorization(f, seeded, await seedEntry(f, { code: "http-ams01" }, [f.companyA]));
    const preview = await call("GET", `/employments/${seeded.employmentId}/card-request-preview`, {
      as: f.partnerA,
    });
    const replacement = await call("POST", `/cards/${old.cardId}/replacement`, {
      as: f.partnerA,
      headers: key(),
      body: { reason: "lost", confirmedAddressVersion: preview.body.addressVersion },
    });
    expect(replacement.status).toBe(201);
    expect(replacement.body).toMatchObject({
      replacesCardId: old.cardId,
      replacementReason: "lost",
    });
    const state = f.commands.store.db
      .prepare("SELECT status FROM card WHERE id = ?")
      .get(old.stateCardId) as { status: string };
    expect(state.status).toBe("lost");
    const twice = await call("POST", `/cards/${old.cardId}/replacement`, {
      as: f.partnerA,
      headers: key(),
      body: { reason: "lost", confirmedAddressVersion: preview.body.addressVersion },
    });
    expect(problem(twice, 409, "REPLACEMENT_PENDING").detail).toContain(
      `card ${replacement.body.id}`,
    );
  });

  it("answers the problems: 401, 404 across companies, 403, 409, 412, 428, 400, 422", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const created = await requestCard(seeded.employmentId, actors.manager);
    const id = created.body.id as number;

    problem(await call("GET", `/cards/${id}`), 401);
    const b = f.partnerB;
    problem(await call("GET", `/cards/${id}`, { as: b }), 404);
    problem(await call("GET", `/persons/${seeded.personId}/cards`, { as: b }), 404);
    problem(
      await call("GET", `/employments/${seeded.employmentId}/card-request-preview`, { as: b }),
      404,
    );
    problem(
      await call("POST", `/cards/${id}/activation`, { as: b, body: { code: "12345678" } }),
      404,
    );
    problem(
      await call("POST", `/cards/${id}/replacement`, {
        as: b,
        headers: key(),
        body: { reason: "lost", confirmedAddressVersion: "x" },
      }),
      404,
    );
    problem(
      await call("POST", `/cards/${id}/deactivation`, { as: b, body: { reason: "lost" } }),
      404,
    );

    problem(await approve(id, actors.manager), 403, "OWN_REQUEST");
    const noMatch = await call("POST", `/cards/${id}/approval`, {
      as: actors.manager2,
      body: { decision: "approve" },
    });
    problem(noMatch, 428);
    const stale = await call("POST", `/cards/${id}/approval`, {
      as: actors.manager2,
      headers: { "if-match": '"stale"' },
      body: { decision: "approve" },
    });
    problem(stale, 412);
    const current = await call("GET", `/cards/${id}`, { as: actors.manager2 });
    const noComment = await call("POST", `/cards/${id}/approval`, {
      as: actors.manager2,
      headers: { "if-match": current.headers.get("etag") ?? "" },
      body: { decision: "reject" },
    });
    problem(noComment, 422);

    problem(
      await call("POST", `/cards/${id}/production`, { as: f.partnerA, body: {} }),
      403,
      "ROLE",
    );
    problem(
      await call("POST", `/cards/${id}/shipment`, { as: actors.admin }),
      409,
      "NOT_IN_PRODUCTION",
    );
    problem(
      await call("POST", `/cards/${id}/activation-code`, { as: actors.admin }),
      409,
      "NOT_SHIPPED",
    );
    const unconfirmed = await call("POST", `/employments/${seeded.employmentId}/card-requests`, {
      as: f.partnerA,
      headers: key(),
      body: { confirmedAddressVersion: "stale" },
    });
    problem(unconfirmed, 409, "ADDRESS_NOT_CONFIRMED");
    const unknownField = await call("POST", `/cards/${id}/deactivation`, {
      as: f.partnerA,
      body: { reason: "lost", extra: 1 },
    });
    problem(unknownField, 400);
    const notActive = await call("POST", `/cards/${id}/replacement`, {
      as: f.partnerA,
      headers: key(),
      body: { reason: "damaged", confirmedAddressVersion: "x" },
    });
    expect(problem(notActive, 409, "REPLACEMENT_NOT_POSSIBLE").detail).toContain("not active yet");

    const holder = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, holder);
    problem(await requestCard(holder.employmentId), 409, "ACTIVE_CARD_EXISTS");
  });
});
