import { afterEach, describe, expect, it } from "vitest";
import type { IamDb } from "../../src/iam/db.js";
import {
  type DueTimer,
  pendingTimer,
  scheduleTimer,
  TimerRunner,
} from "../../src/iam/timers/timers.js";
import { type WorkflowFixture, workflowFixture } from "./workflow-support.js";

describe("durable timers", () => {
  let f: WorkflowFixture | undefined;
  afterEach(() => f?.close());

  async function schedule(db: IamDb, subject: string, dueAt: number) {
    await scheduleTimer(db, 0, { kind: "test.ping", subject, dueAt, payload: { subject } });
  }

  it("fires what fell due while stopped, once, oldest first; the rest when due", async () => {
    f = await workflowFixture();
    const now = f.clock.now();
    await schedule(f.ctx.db, "b", now + 2_000);
    await schedule(f.ctx.db, "a", now + 1_000);
    await schedule(f.ctx.db, "c", now + 60_000);
    const fired: string[] = [];
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      handlers: {
        "test.ping": async (_trx, t: DueTimer) => void fired.push(String(t.payload.subject)),
      },
    });
    f.clock.advance(5_000);
    expect(await runner.start()).toBe(2);
    runner.stop();
    expect(fired).toEqual(["a", "b"]);
    expect(await runner.runDue()).toBe(0);
    f.clock.advance(60_000);
    expect(await runner.runDue()).toBe(1);
    expect(fired).toEqual(["a", "b", "c"]);
  });

  it("moves a pending timer instead of adding a second one", async () => {
    f = await workflowFixture();
    await schedule(f.ctx.db, "x", 10);
    await schedule(f.ctx.db, "x", 20);
    expect(await pendingTimer(f.ctx.db, "test.ping", "x")).toEqual({ dueAt: 20 });
    const rows = await f.ctx.db.selectFrom("iam_timer").selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it("rolls a failing handler's change back and tries again later", async () => {
    f = await workflowFixture();
    await schedule(f.ctx.db, "y", f.clock.now());
    let calls = 0;
    const errors: string[] = [];
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: f.clock,
      retryMs: 30_000,
      log: { info: () => {}, error: (_d, m) => void errors.push(m) },
      handlers: {
        "test.ping": async (trx) => {
          calls++;
          await trx
            .insertInto("iam_setting")
            .values({ key: `k${calls}`, value: "1", changed_by: "t", changed_at: 0 })
            .execute();
          if (calls === 1) throw new Error("downstream unavailable");
        },
      },
    });
    expect(await runner.runDue()).toBe(0);
    expect(errors).toHaveLength(1);
    const settings = () => f!.ctx.db.selectFrom("iam_setting").select("key").execute();
    expect(await settings()).toEqual([]);
    const timer = await f.ctx.db.selectFrom("iam_timer").selectAll().executeTakeFirstOrThrow();
    expect(timer).toMatchObject({ attempts: 1, last_error: "downstream unavailable" });
    f.clock.advance(30_000);
    expect(await runner.runDue()).toBe(1);
    expect(await settings()).toEqual([{ key: "k2" }]);
  });

  it("arms itself for the next due timer", async () => {
    f = await workflowFixture();
    const fired: string[] = [];
    const runner = new TimerRunner({
      db: f.ctx.db,
      clock: { now: () => Date.now() },
      handlers: { "test.ping": async (_t, t) => void fired.push(t.subject) },
    });
    await runner.start();
    await schedule(f.ctx.db, "soon", Date.now() + 50);
    runner.poke();
    await new Promise((resolve) => setTimeout(resolve, 400));
    runner.stop();
    expect(fired).toEqual(["soon"]);
  });
});
