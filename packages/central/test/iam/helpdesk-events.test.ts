import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditService } from "../../src/iam/audit.js";
import { EventFollower } from "../../src/iam/helpdesk/follower.js";
import { HelpdeskService, type RemoteOpener } from "../../src/iam/helpdesk/service.js";
import type { EventStore } from "../../src/service/event-store.js";
import {
  decision,
  enrolled,
  eventStore,
  helpdesk,
  seedDoor,
  seedEngineer,
} from "./helpdesk-support.js";
import { actors, type WorkflowFixture, workflowFixture } from "./workflow-support.js";

let f: WorkflowFixture;
let events: EventStore;

beforeEach(async () => {
  f = await workflowFixture();
  events = eventStore();
});
afterEach(() => {
  events.close();
  f.close();
});

describe("the event follower", () => {
  it("records enrollments (newest wins) and the first use of an authorization, once", async () => {
    await seedDoor(f);
    await seedDoor(f, "d9", f.certArea);
    const e = await seedEngineer(f);
    const base = f.clock.now();
    events.store(
      f.site,
      [
        enrolled(f, e.statePersonId, e.stateCardId, base - 5000),
        decision(f, {
          doorId: "d9",
          cardId: e.stateCardId,
          personId: e.statePersonId,
          outcome: "grant",
          at: base - 4000,
        }),
        decision(f, {
          doorId: "d1",
          cardId: e.stateCardId,
          personId: e.statePersonId,
          outcome: "deny",
          at: base - 3000,
        }),
      ],
      base,
    );
    const follower = new EventFollower(f.ctx, events, 2);
    expect(await follower.catchUp()).toBe(3);
    const authorization = () =>
      f.ctx.db
        .selectFrom("iam_authorization")
        .select("first_used_at")
        .where("id", "=", e.authorizationId)
        .executeTakeFirstOrThrow();
    // A grant at another area's door and a deny do not count as use.
    expect((await authorization()).first_used_at).toBeNull();
    expect(await f.ctx.db.selectFrom("iam_enrollment").selectAll().execute()).toEqual([
      {
        site_id: f.site,
        state_person_id: e.statePersonId,
        state_card_id: e.stateCardId,
        enrolled_at: base - 5000,
      },
    ]);

    events.store(
      f.site,
      [
        decision(f, {
          doorId: "d1",
          cardId: e.stateCardId,
          personId: e.statePersonId,
          outcome: "grant",
          at: base - 2000,
        }),
        decision(f, {
          doorId: "d1",
          cardId: e.stateCardId,
          personId: e.statePersonId,
          outcome: "grant",
          at: base - 1000,
        }),
        enrolled(f, e.statePersonId, 777, base - 9000),
      ],
      base + 1,
    );
    // A new follower (central restarted) continues from the stored cursor.
    expect(await new EventFollower(f.ctx, events).runOnce()).toBe(3);
    expect((await authorization()).first_used_at).toBe(base - 2000);
    const enrollment = await f.ctx.db
      .selectFrom("iam_enrollment")
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(enrollment.state_card_id).toBe(e.stateCardId);
    expect(await new EventFollower(f.ctx, events).runOnce()).toBe(0);
    const audit = await new AuditService(f.ctx.db).byEntity(
      actors.auditor,
      "authorization",
      e.authorizationId,
    );
    expect(audit.map((a) => a.action)).toEqual(["authorization.first-used"]);
  });
});

describe("remote open", () => {
  it("records who, when and why before sending and the edge's outcome after", async () => {
    await seedDoor(f);
    const sent: unknown[] = [];
    let recordedBeforeSending: unknown;
    const opener: RemoteOpener = {
      async open(site, doorId, reason, operator) {
        recordedBeforeSending = await f.ctx.db
          .selectFrom("iam_remote_open")
          .selectAll()
          .executeTakeFirst();
        sent.push({ site, doorId, reason, operator });
        return { outcome: "ok", reason: null };
      },
    };
    const service = new HelpdeskService(f.ctx, { opener });
    const opening = await service.remoteOpen(helpdesk, {
      siteId: f.site,
      doorId: "d1",
      reason: "  Monteur staat voor de deur, lezer defect  ",
    });
    expect(sent).toEqual([
      {
        site: f.site,
        doorId: "d1",
        reason: "Monteur staat voor de deur, lezer defect",
        operator: helpdesk.accountId,
      },
    ]);
    expect(recordedBeforeSending).toMatchObject({
      requested_by: helpdesk.accountId,
      outcome: null,
    });
    expect(opening).toMatchObject({
      outcome: "ok",
      requestedBy: helpdesk.accountId,
      requestedAt: f.clock.now(),
    });
    const audit = await new AuditService(f.ctx.db).byEntity(
      actors.auditor,
      "remote-open",
      opening.id,
    );
    expect(audit.map((a) => a.action)).toEqual(["remote-open.requested", "remote-open.answered"]);
    expect(audit[0]?.after).toMatchObject({ reason: "Monteur staat voor de deur, lezer defect" });
  });

  it("records no answer and a failed send as such", async () => {
    await seedDoor(f);
    const silent = new HelpdeskService(f.ctx, { opener: { open: async () => undefined } });
    const reason = "Storing lezer, op verzoek";
    expect(
      (await silent.remoteOpen(helpdesk, { siteId: f.site, doorId: "d1", reason })).outcome,
    ).toBe("no-answer");
    const broken = new HelpdeskService(f.ctx, {
      opener: {
        open: async () => {
          throw new Error("no link");
        },
      },
    });
    expect(
      await broken.remoteOpen(helpdesk, { siteId: f.site, doorId: "d1", reason }),
    ).toMatchObject({
      outcome: "failed",
      outcomeReason: "no link",
    });
  });

  it("refuses without an opener, without a reason, for other roles and unknown doors", async () => {
    await seedDoor(f);
    const input = { siteId: f.site, doorId: "d1", reason: "Lezer defect" };
    await expect(new HelpdeskService(f.ctx).remoteOpen(helpdesk, input)).rejects.toMatchObject({
      code: "RULE",
      rule: "REMOTE_OPEN_UNAVAILABLE",
    });
    const service = new HelpdeskService(f.ctx, {
      opener: { open: async () => ({ outcome: "ok", reason: null }) },
    });
    await expect(service.remoteOpen(helpdesk, { ...input, reason: " ok " })).rejects.toMatchObject({
      code: "INVALID",
      problems: [expect.objectContaining({ path: "reason" })],
    });
    await expect(service.remoteOpen(actors.admin, input)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(service.remoteOpen(helpdesk, { ...input, doorId: "d7" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await f.ctx.db.selectFrom("iam_remote_open").selectAll().execute()).toEqual([]);
  });
});
