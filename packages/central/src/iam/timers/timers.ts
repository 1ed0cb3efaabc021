import type { IamLog } from "../companies/service.js";
import type { IamDb } from "../db.js";
import { inTransaction } from "../db.js";

/** One timer that fell due, as its handler gets it. */
export interface DueTimer {
  readonly id: number;
  readonly kind: string;
  readonly subject: string;
  readonly dueAt: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Does what a timer stands for, inside the transaction that marks it fired: the change
 * and the firing commit together, so a crash fires it again rather than losing it.
 */
export type TimerHandler = (trx: IamDb, timer: DueTimer) => Promise<void>;

export interface ScheduleTimerInput {
  readonly kind: string;
  readonly subject: string | number;
  readonly dueAt: number;
  readonly payload?: Readonly<Record<string, unknown>>;
}

/**
 * Schedules (or moves) the pending timer of (kind, subject); pass the command's
 * transaction so it commits with the change it belongs to.
 */
export async function scheduleTimer(
  trx: IamDb,
  at: number,
  input: ScheduleTimerInput,
): Promise<void> {
  const subject = String(input.subject);
  await cancelTimer(trx, input.kind, subject);
  await trx
    .insertInto("iam_timer")
    .values({
      kind: input.kind,
      subject,
      due_at: input.dueAt,
      payload: JSON.stringify(input.payload ?? {}),
      created_at: at,
      fired_at: null,
      attempts: 0,
      last_error: null,
    })
    .execute();
}

/** Drops the pending timer of (kind, subject), if any (fired ones stay as the record). */
export async function cancelTimer(
  trx: IamDb,
  kind: string,
  subject: string | number,
): Promise<void> {
  await trx
    .deleteFrom("iam_timer")
    .where("kind", "=", kind)
    .where("subject", "=", String(subject))
    .where("fired_at", "is", null)
    .execute();
}

/** The pending timer of (kind, subject), for tests and reports. */
export async function pendingTimer(
  db: IamDb,
  kind: string,
  subject: string | number,
): Promise<{ dueAt: number } | undefined> {
  const row = await db
    .selectFrom("iam_timer")
    .select("due_at")
    .where("kind", "=", kind)
    .where("subject", "=", String(subject))
    .where("fired_at", "is", null)
    .executeTakeFirst();
  return row === undefined ? undefined : { dueAt: row.due_at };
}

export interface TimerRunnerOptions {
  readonly db: IamDb;
  readonly clock: { now(): number };
  readonly handlers: Readonly<Record<string, TimerHandler>>;
  readonly log?: IamLog & { error(details: object, message: string): void };
  /** Longest sleep between looks at the table (timers written by another process). */
  readonly maxSleepMs?: number;
  /** After a handler fails, the timer is tried again this much later. */
  readonly retryMs?: number;
  /** Called after a firing committed (deltas to publish, notifications to send). */
  readonly fired?: () => void;
}

/**
 * Fires due timers, each in its own transaction, oldest due first: at start (what fell due
 * while central was stopped), then whenever the next one is due. A failing handler leaves
 * its timer pending (attempts counted, error kept) and is tried again after `retryMs`.
 */
export class TimerRunner {
  private readonly o: TimerRunnerOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(options: TimerRunnerOptions) {
    this.o = options;
  }

  /** Fires what is due now and arms for the next one. */
  async start(): Promise<number> {
    this.stopped = false;
    const fired = await this.runDue();
    await this.arm();
    return fired;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A timer was scheduled: look again (it may be due before the armed one). */
  poke(): void {
    if (this.stopped) return;
    void this.arm();
  }

  /** Fires every timer due now; returns how many fired. Runs one pass at a time. */
  runDue(): Promise<number> {
    if (this.running) return this.running.then(() => this.runDue());
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.o.clock.now();
      const due = await this.o.db
        .selectFrom("iam_timer")
        .selectAll()
        .where("fired_at", "is", null)
        .where("due_at", "<=", now)
        .orderBy("due_at")
        .orderBy("id")
        .limit(100)
        .execute();
      if (due.length === 0) break;
      let progressed = false;
      for (const row of due) {
        if (await this.fire(row)) {
          fired++;
          progressed = true;
        }
      }
      if (!progressed) break;
    }
    if (fired > 0) this.o.fired?.();
    return fired;
  }

  private async fire(row: {
    id: number;
    kind: string;
    subject: string;
    due_at: number;
    payload: string;
    attempts: number;
  }): Promise<boolean> {
    const handler = this.o.handlers[row.kind];
    const timer: DueTimer = {
      id: row.id,
      kind: row.kind,
      subject: row.subject,
      dueAt: row.due_at,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
    };
    try {
      if (handler === undefined) throw new Error(`no handler for timer kind "${row.kind}"`);
      await inTransaction(this.o.db, async (trx) => {
        await handler(trx, timer);
        await trx
          .updateTable("iam_timer")
          .set({ fired_at: this.o.clock.now(), attempts: row.attempts + 1 })
          .where("id", "=", row.id)
          .execute();
      });
      this.o.log?.info({ timer: row.kind, subject: row.subject }, "timer fired");
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.o.db
        .updateTable("iam_timer")
        .set({
          attempts: row.attempts + 1,
          last_error: message.slice(0, 500),
          due_at: this.o.clock.now() + (this.o.retryMs ?? 60_000),
        })
        .where("id", "=", row.id)
        .execute();
      this.o.log?.error(
        { timer: row.kind, subject: row.subject, err: { message } },
        "timer failed; tried again later",
      );
      return false;
    }
  }

  private async arm(): Promise<void> {
    const next = await this.o.db
      .selectFrom("iam_timer")
      .select((eb) => eb.fn.min("due_at").as("due"))
      .where("fired_at", "is", null)
      .executeTakeFirst();
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const maxSleep = this.o.maxSleepMs ?? 60_000;
    const due = next?.due ?? null;
    const wait =
      due === null ? maxSleep : Math.min(Math.max(due - this.o.clock.now(), 0), maxSleep);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runDue().then(() => this.arm());
    }, wait);
    this.timer.unref?.();
  }
}
