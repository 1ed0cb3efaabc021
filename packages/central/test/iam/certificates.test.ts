import { afterEach, describe, expect, it } from "vitest";
import { accountDb } from "../../src/iam/accounts/db.js";
import { CertificateService, validCertificateTypes } from "../../src/iam/certificates/index.js";
import { IamError, IamValidationError } from "../../src/iam/errors.js";
import { pendingTimer, TimerRunner } from "../../src/iam/timers/timers.js";
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

describe("certificates", () => {
  let f: WorkflowFixture;
  afterEach(() => f?.close());

  const input = (personId: number, over: Record<string, unknown> = {}) => ({
    personId,
    type: "VCA",
    validFrom: "2026-01-01",
    validUntil: "2026-06-01",
    ...over,
  });

  async function refused(call: Promise<unknown>): Promise<IamError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IamError);
    return error as IamError;
  }

  /** An engineer of company A with an active card and a VCA-bound authorization at ams01. */
  async function engineerWithVcaAccess() {
    const seeded = await seedEmployment(f, f.companyA);
    await seedActiveCard(f, seeded);
    const entry = await seedEntry(
      f,
      { code: "AMS01-MEET", areaId: f.certArea, requiredCertificates: ["VCA"] },
      [f.companyA],
    );
    const plain = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const vca = await seedAuthorization(f, seeded, entry);
    const other = await seedAuthorization(f, seeded, plain);
    return { seeded, vca, other };
  }

  const outbox = (template: string) =>
    accountDb(f.ctx.db)
      .selectFrom("iam_notification_outbox")
      .select(["recipient", "parameters"])
      .where("template", "=", template)
      .orderBy("id")
      .execute();

  it("is registered by the training institute only, with its state row and timers", async () => {
    f = await workflowFixture();
    const service = new CertificateService(f.ctx);
    const { personId } = await seedEmployment(f, f.companyA);
    for (const actor of [actors.admin, actors.manager, actors.helpdesk, f.partnerA]) {
      const error = await refused(service.register(actor, input(personId)));
      expect(error.code).toBe("FORBIDDEN");
    }
    const created = await service.register(actors.institute, input(personId));
    expect(created).toMatchObject({
      personId,
      type: "VCA",
      validFrom: f.ctx.workingDays.startOfDay("2026-01-01"),
      validUntil: f.ctx.workingDays.startOfDay("2026-06-01"),
      registeredBy: actors.institute.accountId,
      state: "valid",
    });
    const state = f.commands.store.db
      .prepare(
        "SELECT c.type, c.valid_until FROM certificate c JOIN iam_certificate i ON i.state_certificate_id = c.id WHERE i.id = ?",
      )
      .get(created.id) as { type: string; valid_until: number };
    expect(state).toEqual({ type: "VCA", valid_until: created.validUntil });
    expect(await pendingTimer(f.ctx.db, "certificate.lapse", created.id)).toEqual({
      dueAt: created.validUntil,
    });
    expect(await pendingTimer(f.ctx.db, "certificate.warning", created.id)).toEqual({
      dueAt: created.validUntil - 30 * DAY_MS,
    });
    const audit = await f.ctx.db
      .selectFrom("iam_audit")
      .select("action")
      .where("entity", "=", "certificate")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["certificate.registered"]);
  });

  it("reports every invalid field at once", async () => {
    f = await workflowFixture();
    const service = new CertificateService(f.ctx);
    const error = await refused(
      service.register(actors.institute, {
        personId: -1,
        type: "DRIVING",
        validFrom: "2026-02-30",
        validUntil: "tomorrow",
      }),
    );
    expect(error).toBeInstanceOf(IamValidationError);
    const paths = (error as IamValidationError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(["personId", "type", "validFrom", "validUntil"]);
    const order = await refused(
      service.register(actors.institute, input(1, { validUntil: "2025-12-31" })),
    );
    expect((order as IamValidationError).problems).toEqual([
      { path: "validUntil", message: "a date after validFrom" },
    ]);
    const past = await refused(
      service.register(actors.institute, input(1, { validUntil: "2026-03-01" })),
    );
    expect((past as IamValidationError).problems[0]?.message).toBe("a date after today");
    const extra = await refused(service.register(actors.institute, { ...input(1), x: 1 }));
    expect(extra.code).toBe("INVALID");
    const missing = await refused(service.register(actors.institute, input(999)));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("lets a partner read the certificates of its own engineers only", async () => {
    f = await workflowFixture();
    const service = new CertificateService(f.ctx);
    const { personId } = await seedEmployment(f, f.companyA);
    const created = await service.register(actors.institute, input(personId));
    expect(await service.listForPerson(f.partnerA, personId)).toEqual([created]);
    expect(await service.get(f.partnerA, created.id)).toEqual(created);
    expect((await refused(service.listForPerson(f.partnerB, personId))).code).toBe("NOT_FOUND");
    expect((await refused(service.get(f.partnerB, created.id))).code).toBe("NOT_FOUND");
    expect((await refused(service.get(actors.auditor, 999))).code).toBe("NOT_FOUND");
    expect(await validCertificateTypes(f.ctx.db, personId, f.clock.now())).toEqual(
      new Set(["VCA"]),
    );
    expect(await validCertificateTypes(f.ctx.db, personId, created.validUntil)).toEqual(new Set());
  });

  it("warns ahead, then ends the authorizations that need the lapsed type, at the doors too", async () => {
    f = await workflowFixture();
    const { seeded, vca, other } = await engineerWithVcaAccess();
    const service = new CertificateService(f.ctx);
    const cert = await service.register(actors.institute, input(seeded.personId));
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: service.timerHandlers(),
    });

    f.clock.set(cert.validUntil - 30 * DAY_MS + 1);
    expect(await runner.runDue()).toBe(1);
    const warnings = await outbox("certificate-expiry-warning");
    const { email } = await f.ctx.db
      .selectFrom("iam_employment")
      .select("email")
      .where("id", "=", seeded.employmentId)
      .executeTakeFirstOrThrow();
    expect(warnings.map((w) => w.recipient).sort()).toEqual(
      [email, "acc-partner-a@example.nl"].sort(),
    );
    expect(JSON.parse(warnings[0]?.parameters ?? "{}")).toMatchObject({
      type: "VCA",
      validUntil: "2026-06-01",
    });
    const authorization = () =>
      f.ctx.db
        .selectFrom("iam_authorization")
        .select(["status", "end_reason"])
        .where("id", "=", vca.authorizationId)
        .executeTakeFirstOrThrow();
    expect((await authorization()).status).toBe("active");

    const lastSeq = () =>
      (
        f.commands.store.db.prepare("SELECT max(seq) AS seq FROM delta_outbox").get() as {
          seq: number;
        }
      ).seq;
    const before = lastSeq();
    // Central stopped over the end: a new runner over the same store fires it late.
    f.clock.set(cert.validUntil + DAY_MS);
    const restarted = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: new CertificateService(f.ctx).timerHandlers(),
    });
    expect(await restarted.runDue()).toBe(1);
    expect(await authorization()).toEqual({
      status: "lapsed",
      end_reason: "certificate VCA lapsed",
    });
    const state = f.commands.store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .get(vca.stateAuthorizationId) as { revoked_at: number | null };
    expect(state.revoked_at).toBe(f.clock.now());
    const deltas = f.commands.store.db
      .prepare("SELECT site, delta FROM delta_outbox WHERE seq > ?")
      .all(before) as { site: string; delta: string }[];
    expect(deltas.map((d) => d.site)).toContain("ams01");
    const deleted = deltas.flatMap(
      (d) =>
        (JSON.parse(d.delta) as { delete: { authorizations?: number[] } }).delete.authorizations ??
        [],
    );
    expect(deleted).toContain(vca.stateAuthorizationId);
    const untouched = await f.ctx.db
      .selectFrom("iam_authorization")
      .select("status")
      .where("id", "=", other.authorizationId)
      .executeTakeFirstOrThrow();
    expect(untouched.status).toBe("active");
    expect((await outbox("access-lapsed")).length).toBe(2);
    expect(await restarted.runDue()).toBe(0);
  });

  it("keeps the access of a renewed certificate, without a warning", async () => {
    f = await workflowFixture();
    const { seeded, vca } = await engineerWithVcaAccess();
    const service = new CertificateService(f.ctx);
    const first = await service.register(actors.institute, input(seeded.personId));
    await service.register(
      actors.institute,
      input(seeded.personId, { validFrom: "2026-05-01", validUntil: "2027-05-01" }),
    );
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: service.timerHandlers(),
    });
    f.clock.set(first.validUntil + 1);
    expect(await runner.runDue()).toBe(2);
    const row = await f.ctx.db
      .selectFrom("iam_authorization")
      .select("status")
      .where("id", "=", vca.authorizationId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("active");
    expect(await outbox("certificate-expiry-warning")).toEqual([]);
    expect(await outbox("access-lapsed")).toEqual([]);
  });
});
