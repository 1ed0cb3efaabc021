import type { SiteDelta } from "@acs/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createIamContext } from "../../src/iam/context.js";
import { openIamDb } from "../../src/iam/db.js";
import { IamError, IamValidationError } from "../../src/iam/errors.js";
import { PersonService } from "../../src/iam/persons/service.js";
import { pendingTimer, TimerRunner } from "../../src/iam/timers/timers.js";
import { CentralCommands } from "../../src/state/commands.js";
import { openCentralStore } from "../../src/state/store.js";
import {
  actors,
  DAY_MS,
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

/**
 * An engineer of company A with an active card, an authorization for the site's area (at
 * the doors) and a key (issued).
 */
async function engineer(f: WorkflowFixture) {
  const seeded = await seedEmployment(f, f.companyA);
  const card = await seedActiveCard(f, seeded);
  const area = await seedEntry(f, { code: `AMS-${seeded.employmentId}` }, [f.companyA]);
  const key = await seedEntry(
    f,
    { code: `KEY-${seeded.employmentId}`, service: "key", keyType: "Z" },
    [f.companyA],
  );
  const door = await seedAuthorization(f, seeded, area);
  const keyAuth = await seedAuthorization(f, seeded, key);
  const keyIssue = await f.ctx.db
    .insertInto("iam_key_issue")
    .values({
      authorization_id: keyAuth.authorizationId,
      key_type: "Z",
      status: "issued",
      shipping_address: "{}",
      shipped_at: f.clock.now(),
      issued_at: f.clock.now(),
      return_requested_at: null,
      returned_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { seeded, card, door, keyAuth, keyIssueId: keyIssue.id };
}

function lastSeq(f: WorkflowFixture): number {
  const row = f.commands.store.db
    .prepare("SELECT coalesce(max(seq), 0) AS seq FROM delta_outbox")
    .get() as { seq: number };
  return row.seq;
}

function deltasAfter(f: WorkflowFixture, seq: number): SiteDelta[] {
  const rows = f.commands.store.db
    .prepare("SELECT delta FROM delta_outbox WHERE seq > ? ORDER BY seq")
    .all(seq) as { delta: string }[];
  return rows.map((r) => JSON.parse(r.delta) as SiteDelta);
}

function stateEmployment(f: WorkflowFixture, id: number) {
  return f.commands.store.db.prepare("SELECT end_at FROM employment WHERE id = ?").get(id) as {
    end_at: number | null;
  };
}

function stateRevokedAt(f: WorkflowFixture, id: number | null): number | null {
  const row = f.commands.store.db
    .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
    .get(id) as { revoked_at: number | null };
  return row.revoked_at;
}

function stateCardStatus(f: WorkflowFixture, id: number): string {
  return (
    f.commands.store.db.prepare("SELECT status FROM card WHERE id = ?").get(id) as {
      status: string;
    }
  ).status;
}

async function refusal(promise: Promise<unknown>): Promise<IamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IamError);
  return error as IamError;
}

describe("end of employment (chapters 13 and 14)", () => {
  let f: WorkflowFixture;
  let persons: PersonService;

  beforeEach(async () => {
    f = await workflowFixture();
    persons = new PersonService(f.ctx);
  });
  afterEach(() => f.close());

  it("ends at once: authorizations revoked at the doors, card deactivated, both to return", async () => {
    const { seeded, card, door, keyAuth, keyIssueId } = await engineer(f);
    const seq = lastSeq(f);
    f.clock.advance(60_000);
    const now = f.clock.now();

    const end = await persons.endEmployment(f.partnerA, seeded.employmentId, {
      reason: "works elsewhere",
    });

    expect(end.ended).toBe(true);
    expect(end.endsAt).toBe(now);
    expect(end.employment).toMatchObject({
      status: "ended",
      endedAt: now,
      endDate: "2026-03-02",
      endReason: "works elsewhere",
    });
    expect(end.endedAuthorizationIds).toEqual([door.authorizationId, keyAuth.authorizationId]);
    expect(end.cardsToReturn).toEqual([{ cardId: card.cardId, cardNumber: String(card.number) }]);
    expect(end.keysToReturn).toEqual([
      { keyIssueId, authorizationId: keyAuth.authorizationId, keyType: "Z" },
    ]);
    expect(end.keptCardId).toBeNull();
    // The state the doors read.
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBe(now);
    expect(stateRevokedAt(f, door.stateAuthorizationId)).toBe(now);
    expect(stateCardStatus(f, card.stateCardId)).toBe("inactive");
    const deltas = deltasAfter(f, seq);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((d) => d.site === f.site)).toBe(true);
    expect(deltas.flatMap((d) => d.delete.authorizations ?? [])).toContain(
      door.stateAuthorizationId,
    );
    // The IAM rows.
    const iamCard = await f.ctx.db
      .selectFrom("iam_card")
      .selectAll()
      .where("id", "=", card.cardId)
      .executeTakeFirstOrThrow();
    expect(iamCard).toMatchObject({ status: "inactive", to_return: 1 });
    const auths = await f.ctx.db
      .selectFrom("iam_authorization")
      .select(["status", "end_reason"])
      .where("employment_id", "=", seeded.employmentId)
      .execute();
    expect(auths).toEqual([
      { status: "ended", end_reason: "works elsewhere" },
      { status: "ended", end_reason: "works elsewhere" },
    ]);
    const key = await f.ctx.db
      .selectFrom("iam_key_issue")
      .select("status")
      .where("id", "=", keyIssueId)
      .executeTakeFirstOrThrow();
    expect(key.status).toBe("to-return");
    // The company's contact is told what to hand back.
    const notice = await f.ctx.db
      .withTables<{
        iam_notification_outbox: { recipient: string; template: string; parameters: string };
      }>()
      .selectFrom("iam_notification_outbox")
      .selectAll()
      .where("template", "=", "employment-ended")
      .execute();
    expect(notice.map((n) => n.recipient)).toEqual(["acc-partner-a@example.nl"]);
    expect(JSON.parse(notice[0]?.parameters ?? "{}")).toMatchObject({
      cardsToReturn: String(card.number),
      keysToReturn: "Z",
    });

    const again = await refusal(persons.endEmployment(actors.manager, seeded.employmentId, {}));
    expect(again).toMatchObject({ code: "RULE", rule: "ALREADY_ENDED" });
    const change = await refusal(
      persons.updateEmployment(f.partnerA, seeded.employmentId, { managerName: "X" }),
    );
    expect(change.rule).toBe("ALREADY_ENDED");
  });

  it("keeps the card when another active employment of the person needs it", async () => {
    const atA = await seedEmployment(f, f.companyA);
    const atB = await seedEmployment(f, f.companyB, { personId: atA.personId });
    const card = await seedActiveCard(f, atA);

    const end = await persons.endEmployment(actors.manager, atA.employmentId, {});

    expect(end).toMatchObject({ ended: true, cardsToReturn: [], keptCardId: card.cardId });
    expect(stateCardStatus(f, card.stateCardId)).toBe("active");
    expect(stateEmployment(f, atA.stateEmploymentId).end_at).toBe(f.clock.now());
    expect(stateEmployment(f, atB.stateEmploymentId).end_at).toBeNull();

    // Once the last employment ends, the card goes.
    const last = await persons.endEmployment(actors.manager, atB.employmentId, {});
    expect(last.cardsToReturn.map((c) => c.cardId)).toEqual([card.cardId]);
    expect(stateCardStatus(f, card.stateCardId)).toBe("inactive");
  });

  it("ends at a date that fell due while central was stopped, at start-up", async () => {
    const { seeded, card, door } = await engineer(f);
    const end = await persons.endEmployment(f.partnerA, seeded.employmentId, {
      date: "2026-03-06",
    });
    const endsAt = f.ctx.workingDays.startOfDay("2026-03-06");
    expect(end).toMatchObject({ ended: false, endsAt, cardsToReturn: [] });
    expect(end.employment).toMatchObject({ status: "active", endDate: "2026-03-06" });
    // The doors know the end in advance.
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBe(endsAt);
    expect(stateRevokedAt(f, door.stateAuthorizationId)).toBeNull();
    expect(await pendingTimer(f.ctx.db, "employment.end", seeded.employmentId)).toEqual({
      dueAt: endsAt,
    });

    // Central stops; it starts again two days after the date, over the same file.
    f.close();
    f.clock.set(endsAt + 2 * DAY_MS);
    const store = openCentralStore(f.path, { clock: f.clock });
    try {
      const commands = new CentralCommands(store);
      const ctx = createIamContext({ db: openIamDb(store.db), commands, clock: f.clock });
      const seq = (
        store.db.prepare("SELECT coalesce(max(seq), 0) AS seq FROM delta_outbox").get() as {
          seq: number;
        }
      ).seq;
      const runner = new TimerRunner({
        db: ctx.db,
        clock: f.clock,
        handlers: new PersonService(ctx).timerHandlers(),
      });
      expect(await runner.start()).toBe(1);
      runner.stop();

      const after = await new PersonService(ctx).getEmployment(actors.manager, seeded.employmentId);
      expect(after).toMatchObject({ status: "ended", endedAt: f.clock.now() });
      const state = (sql: string, id: number | null) => store.db.prepare(sql).get(id) as object;
      expect(state("SELECT end_at FROM employment WHERE id = ?", seeded.stateEmploymentId)).toEqual(
        { end_at: endsAt },
      );
      expect(
        state(
          "SELECT revoked_at FROM access_authorization WHERE id = ?",
          door.stateAuthorizationId,
        ),
      ).toEqual({ revoked_at: f.clock.now() });
      expect(state("SELECT status FROM card WHERE id = ?", card.stateCardId)).toEqual({
        status: "inactive",
      });
      const deltas = (
        store.db.prepare("SELECT delta FROM delta_outbox WHERE seq > ?").all(seq) as {
          delta: string;
        }[]
      ).map((r) => JSON.parse(r.delta) as SiteDelta);
      expect(deltas.flatMap((d) => d.delete.authorizations ?? [])).toContain(
        door.stateAuthorizationId,
      );
      // Fired once: a second start finds nothing due.
      expect(await runner.runDue()).toBe(0);
    } finally {
      store.close();
    }
  });

  it("moves a scheduled end to a new date, and to today: at once", async () => {
    const { seeded, door } = await engineer(f);
    await persons.endEmployment(f.partnerA, seeded.employmentId, { date: "2026-03-20" });
    const seq = lastSeq(f);

    const moved = await persons.endEmployment(f.partnerA, seeded.employmentId, {
      date: "2026-03-10",
    });

    const endsAt = f.ctx.workingDays.startOfDay("2026-03-10");
    expect(moved).toMatchObject({ ended: false, endsAt });
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBe(endsAt);
    expect(await pendingTimer(f.ctx.db, "employment.end", seeded.employmentId)).toEqual({
      dueAt: endsAt,
    });
    const upserted = deltasAfter(f, seq).flatMap((d) => d.upsert.employments ?? []);
    expect(upserted).toContainEqual(expect.objectContaining({ end: endsAt }));

    // The old date fires nothing: the timer moved.
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: persons.timerHandlers(),
    });
    f.clock.set(f.ctx.workingDays.startOfDay("2026-03-09"));
    expect(await runner.runDue()).toBe(0);

    // Moved to today: ends at once, and the timer is gone.
    const now = await persons.endEmployment(f.partnerA, seeded.employmentId, {
      date: "2026-03-09",
    });
    expect(now.ended).toBe(true);
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBe(f.clock.now());
    expect(stateRevokedAt(f, door.stateAuthorizationId)).toBe(f.clock.now());
    expect(await pendingTimer(f.ctx.db, "employment.end", seeded.employmentId)).toBeUndefined();
  });

  it("refuses to move a dated end that has passed; its late timer still does the rest", async () => {
    const { seeded, card } = await engineer(f);
    await persons.endEmployment(f.partnerA, seeded.employmentId, { date: "2026-03-04" });
    f.clock.set(f.ctx.workingDays.startOfDay("2026-03-05"));

    const late = await refusal(
      persons.endEmployment(f.partnerA, seeded.employmentId, { date: "2026-03-10" }),
    );

    expect(late).toMatchObject({ code: "RULE", rule: "ALREADY_ENDED" });
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: persons.timerHandlers(),
    });
    expect(await runner.runDue()).toBe(1);
    const after = await persons.getEmployment(f.partnerA, seeded.employmentId);
    expect(after).toMatchObject({ status: "ended", endDate: "2026-03-04" });
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBe(
      f.ctx.workingDays.startOfDay("2026-03-04"),
    );
    expect(stateCardStatus(f, card.stateCardId)).toBe("inactive");
  });

  it("refuses a date before the start, and another company's partner", async () => {
    const seeded = await seedEmployment(f, f.companyA);
    const early = await refusal(
      persons.endEmployment(f.partnerA, seeded.employmentId, { date: "2026-03-01" }),
    );
    expect(early).toBeInstanceOf(IamValidationError);
    expect((early as IamValidationError).problems.map((p) => p.path)).toEqual(["date"]);
    const bad = await refusal(
      persons.endEmployment(f.partnerA, seeded.employmentId, { date: "tomorrow", why: "x" }),
    );
    expect((bad as IamValidationError).problems.map((p) => p.path).sort()).toEqual([
      "(input)",
      "date",
    ]);
    const foreign = await refusal(persons.endEmployment(f.partnerB, seeded.employmentId, {}));
    expect(foreign.code).toBe("NOT_FOUND");
    const role = await refusal(persons.endEmployment(actors.helpdesk, seeded.employmentId, {}));
    expect(role.code).toBe("FORBIDDEN");
    expect(stateEmployment(f, seeded.stateEmploymentId).end_at).toBeNull();
  });
});
