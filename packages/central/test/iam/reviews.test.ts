import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { accountDb } from "../../src/iam/accounts/db.js";
import { IamError } from "../../src/iam/errors.js";
import { canonicalJson, evidenceCsv, ReviewService } from "../../src/iam/reviews/index.js";
import { pendingTimer, TimerRunner } from "../../src/iam/timers/timers.js";
import {
  actors,
  DAY_MS,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
  workflowFixture,
} from "./workflow-support.js";

describe("access reviews", () => {
  let f: WorkflowFixture;
  afterEach(() => f?.close());

  async function refused(call: Promise<unknown>): Promise<IamError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IamError);
    return error as IamError;
  }

  /** Company A: engineer 1 with two authorizations, engineer 2 with one. */
  async function seeded() {
    const one = await seedEmployment(f, f.companyA, { surname: "Visser" });
    const two = await seedEmployment(f, f.companyA, { surname: "Bakker" });
    const app = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const meet = await seedEntry(f, { code: "AMS01-MEET", areaId: f.certArea }, [f.companyA]);
    return {
      one,
      two,
      a1: await seedAuthorization(f, one, app),
      a2: await seedAuthorization(f, one, meet),
      b1: await seedAuthorization(f, two, app),
    };
  }

  const status = async (authorizationId: number) =>
    await f.ctx.db
      .selectFrom("iam_authorization")
      .select(["status", "end_reason"])
      .where("id", "=", authorizationId)
      .executeTakeFirstOrThrow();

  const outbox = (template: string) =>
    accountDb(f.ctx.db)
      .selectFrom("iam_notification_outbox")
      .select(["recipient", "parameters"])
      .where("template", "=", template)
      .execute();

  it("opens the period's review per company with engineers: a line per employment and authorization", async () => {
    f = await workflowFixture();
    const s = await seeded();
    const service = new ReviewService(f.ctx);
    expect((await refused(service.openReviews(actors.manager))).code).toBe("FORBIDDEN");
    expect((await refused(service.openReviews(actors.admin, "2026-H1"))).code).toBe("INVALID");
    const opened = await service.openReviews(actors.admin);
    expect(opened).toHaveLength(1);
    const review = opened[0];
    expect(review).toMatchObject({
      companyId: f.companyA,
      period: "2026-Q1",
      status: "open",
      openedAt: f.clock.now(),
      deadlineAt: f.clock.now() + 14 * DAY_MS,
    });
    const details = await service.get(f.partnerA, review?.id ?? 0);
    expect(details.lines.map((l) => [l.employmentId, l.authorizationId, l.decision])).toEqual([
      [s.one.employmentId, null, "pending"],
      [s.one.employmentId, s.a1.authorizationId, "pending"],
      [s.one.employmentId, s.a2.authorizationId, "pending"],
      [s.two.employmentId, null, "pending"],
      [s.two.employmentId, s.b1.authorizationId, "pending"],
    ]);
    expect(details.lines[0]).toMatchObject({ personName: "K. Visser", entryCode: null });
    expect(details.lines[1]).toMatchObject({ entryCode: "AMS01-APP", entryName: "AMS01-APP" });
    expect(await pendingTimer(f.ctx.db, "review.deadline", review?.id ?? 0)).toEqual({
      dueAt: review?.deadlineAt,
    });
    const mails = await outbox("review-opened");
    expect(mails.map((m) => m.recipient)).toEqual(["acc-partner-a@example.nl"]);
    expect(JSON.parse(mails[0]?.parameters ?? "{}")).toMatchObject({
      period: "2026-Q1",
      lines: "5",
    });
    expect(await service.openReviews(actors.admin)).toEqual([]);
    expect(await service.listForCompany(f.partnerA, f.companyA)).toEqual([review]);
    expect(await service.listForCompany(actors.auditor, f.companyB)).toEqual([]);
  });

  it("revokes what the contact person does not confirm when it finishes the review", async () => {
    f = await workflowFixture();
    const s = await seeded();
    const service = new ReviewService(f.ctx);
    const [review] = await service.openReviews(actors.admin);
    const id = review?.id ?? 0;
    const lines = (await service.get(f.partnerA, id)).lines;
    const lineOf = (employmentId: number, authorizationId: number | null) =>
      lines.find((l) => l.employmentId === employmentId && l.authorizationId === authorizationId)
        ?.id ?? 0;
    expect(
      (
        await refused(
          service.decideLine(actors.admin, lines[0]?.id ?? 0, { decision: "confirmed" }),
        )
      ).code,
    ).toBe("FORBIDDEN");
    const invalid = await refused(
      service.decideLine(f.partnerA, lines[0]?.id ?? 0, { decision: "maybe", x: 1 }),
    );
    expect(invalid.code).toBe("INVALID");
    await service.decideLine(f.partnerA, lineOf(s.one.employmentId, null), {
      decision: "confirmed",
    });
    await service.decideLine(f.partnerA, lineOf(s.one.employmentId, s.a1.authorizationId), {
      decision: "confirmed",
    });
    const decided = await service.decideLine(
      f.partnerA,
      lineOf(s.one.employmentId, s.a2.authorizationId),
      {
        decision: "not-confirmed",
        comment: "no longer works at ams01",
      },
    );
    expect(decided).toMatchObject({ decision: "not-confirmed", decidedBy: "acc-partner-a" });
    const pending = await refused(service.finish(f.partnerA, id));
    expect([pending.code, pending.rule]).toEqual(["RULE", "LINES_PENDING"]);
    // Engineer 2 left: the employment line is not confirmed, its authorization confirmed.
    await service.decideLine(f.partnerA, lineOf(s.two.employmentId, null), {
      decision: "not-confirmed",
    });
    await service.decideLine(f.partnerA, lineOf(s.two.employmentId, s.b1.authorizationId), {
      decision: "confirmed",
    });

    const finished = await service.finish(f.partnerA, id);
    expect(finished).toMatchObject({
      status: "finished",
      finishedBy: "acc-partner-a",
      finishedAt: f.clock.now(),
    });
    expect(await status(s.a1.authorizationId)).toEqual({ status: "active", end_reason: null });
    expect(await status(s.a2.authorizationId)).toEqual({
      status: "revoked",
      end_reason: "access review 2026-Q1",
    });
    expect((await status(s.b1.authorizationId)).status).toBe("revoked");
    const state = f.commands.store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .get(s.a2.stateAuthorizationId) as { revoked_at: number };
    expect(state.revoked_at).toBe(f.clock.now());
    expect(finished.lines.filter((l) => l.decision === "revoked").map((l) => l.comment)).toEqual([
      "no longer works at ams01",
      null,
    ]);
    const employment = await f.ctx.db
      .selectFrom("iam_employment")
      .select("status")
      .where("id", "=", s.two.employmentId)
      .executeTakeFirstOrThrow();
    expect(employment.status).toBe("active");
    expect((await outbox("review-finished")).map((m) => m.recipient)).toEqual([
      "acc-partner-a@example.nl",
    ]);
    expect(await pendingTimer(f.ctx.db, "review.deadline", id)).toBeUndefined();
  });

  it("revokes the undecided lines at the deadline, also after central was stopped", async () => {
    f = await workflowFixture();
    const s = await seeded();
    const service = new ReviewService(f.ctx);
    const [review] = await service.openReviews(actors.admin);
    const id = review?.id ?? 0;
    const lines = (await service.get(f.partnerA, id)).lines;
    for (const line of lines.filter((l) => l.employmentId === s.one.employmentId)) {
      await service.decideLine(f.partnerA, line.id, { decision: "confirmed" });
    }
    f.clock.set((review?.deadlineAt ?? 0) + DAY_MS);
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: new ReviewService(f.ctx).timerHandlers(),
    });
    expect(await runner.runDue()).toBe(1);
    const after = await service.get(actors.auditor, id);
    expect(after).toMatchObject({ status: "finished", finishedBy: "deadline" });
    expect(after.lines.filter((l) => l.decision === "revoked").map((l) => l.decidedBy)).toEqual([
      "deadline",
      "deadline",
    ]);
    expect((await status(s.b1.authorizationId)).status).toBe("revoked");
    expect((await status(s.a2.authorizationId)).status).toBe("active");
    expect(await runner.runDue()).toBe(0);
  });

  it("refuses any change to a finished review, in the service and in the tables", async () => {
    f = await workflowFixture();
    await seeded();
    const service = new ReviewService(f.ctx);
    const [review] = await service.openReviews(actors.admin);
    const id = review?.id ?? 0;
    const lines = (await service.get(f.partnerA, id)).lines;
    for (const line of lines)
      await service.decideLine(f.partnerA, line.id, { decision: "confirmed" });
    await service.finish(actors.admin, id);
    const again = await refused(
      service.decideLine(f.partnerA, lines[0]?.id ?? 0, { decision: "not-confirmed" }),
    );
    expect([again.code, again.rule]).toEqual(["RULE", "REVIEW_FINISHED"]);
    expect((await refused(service.finish(f.partnerA, id))).rule).toBe("REVIEW_FINISHED");
    const db = f.commands.store.db;
    expect(() =>
      db.prepare("UPDATE iam_review_line SET decision = 'revoked' WHERE id = ?").run(lines[0]?.id),
    ).toThrow(/finished review cannot be changed/);
    expect(() => db.prepare("UPDATE iam_review SET status = 'open' WHERE id = ?").run(id)).toThrow(
      /finished review cannot be changed/,
    );
    expect(() => db.prepare("DELETE FROM iam_review_line WHERE id = ?").run(lines[0]?.id)).toThrow(
      /kept/,
    );
  });

  it("exports evidence with a stable SHA-256 of its content, as JSON and CSV", async () => {
    f = await workflowFixture();
    await seeded();
    const service = new ReviewService(f.ctx);
    const [review] = await service.openReviews(actors.admin);
    const id = review?.id ?? 0;
    const lines = (await service.get(f.partnerA, id)).lines;
    await service.decideLine(f.partnerA, lines[1]?.id ?? 0, {
      decision: "not-confirmed",
      comment: '=cmd|"x", ok',
    });
    for (const line of lines.filter((_, i) => i !== 1)) {
      await service.decideLine(f.partnerA, line.id, { decision: "confirmed" });
    }
    await service.finish(f.partnerA, id);
    const evidence = await service.evidence(actors.auditor, id);
    expect(evidence.review).toMatchObject({
      id,
      period: "2026-Q1",
      companyName: "Netbouw Infra B.V.",
      finishedBy: "acc-partner-a",
    });
    expect(evidence.lines).toHaveLength(5);
    expect(evidence.lines[1]).toMatchObject({
      decision: "revoked",
      entryCode: "AMS01-APP",
      employmentNumber: expect.stringMatching(/^E\d+$/),
    });
    const digest = createHash("sha256")
      .update(canonicalJson({ review: evidence.review, lines: evidence.lines }))
      .digest("hex");
    expect(evidence.sha256).toBe(digest);
    f.clock.advance(DAY_MS);
    expect((await service.evidence(f.partnerA, id)).sha256).toBe(digest);
    const csv = evidenceCsv(evidence).split("\r\n");
    expect(csv[0]).toBe(
      "reviewId,companyId,period,lineId,employmentNumber,personName,authorizationId,entryCode,entryName,decision,decidedBy,decidedAt,comment",
    );
    expect(csv).toHaveLength(7);
    expect(csv[2]).toContain(`"'=cmd|""x"", ok"`);
    expect((await refused(service.evidence(actors.helpdesk, id))).code).toBe("FORBIDDEN");
  });

  it("answers another company's review to a partner as not found", async () => {
    f = await workflowFixture();
    await seeded();
    const service = new ReviewService(f.ctx);
    const [review] = await service.openReviews(actors.admin);
    const id = review?.id ?? 0;
    const line = (await service.get(actors.manager, id)).lines[0]?.id ?? 0;
    for (const call of [
      service.get(f.partnerB, id),
      service.decideLine(f.partnerB, line, { decision: "confirmed" }),
      service.finish(f.partnerB, id),
      service.evidence(f.partnerB, id),
      service.listForCompany(f.partnerB, f.companyA),
      service.get(f.partnerA, 999),
    ]) {
      expect((await refused(call)).code).toBe("NOT_FOUND");
    }
  });

  it("opens each next period's reviews from its durable timer, which re-arms itself", async () => {
    f = await workflowFixture();
    await seeded();
    const service = new ReviewService(f.ctx);
    await service.ensureScheduled();
    await service.ensureScheduled();
    const q2 = f.ctx.workingDays.startOfDay("2026-04-01");
    expect(await pendingTimer(f.ctx.db, "review.schedule", "next")).toEqual({ dueAt: q2 });
    f.clock.set(q2 + 1000);
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: service.timerHandlers(),
    });
    expect(await runner.runDue()).toBe(1);
    const reviews = await service.listForCompany(actors.admin, f.companyA);
    expect(reviews.map((r) => r.period)).toEqual(["2026-Q2"]);
    expect(await pendingTimer(f.ctx.db, "review.schedule", "next")).toEqual({
      dueAt: f.ctx.workingDays.startOfDay("2026-07-01"),
    });
  });
});
