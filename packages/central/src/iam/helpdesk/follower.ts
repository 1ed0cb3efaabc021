import type { EventCursor, EventStore, StoredEvent } from "../../service/event-store.js";
import { SYSTEM_ACTOR } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";

/** The iam_setting key of the follower's position in the event stream. */
export const EVENTS_CURSOR_KEY = "events.cursor";
export const DEFAULT_FOLLOWER_BATCH = 500;

interface DecisionPayload {
  readonly cardId?: unknown;
  readonly personId?: unknown;
  readonly outcome?: unknown;
}

function payloadOf(event: StoredEvent): DecisionPayload {
  try {
    const value = JSON.parse(event.payloadJson) as unknown;
    return value !== null && typeof value === "object" ? (value as DecisionPayload) : {};
  } catch {
    return {};
  }
}

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/**
 * Follows the edges' events into the IAM tables: which card each site's fingerprint
 * enrollment is bound to (`fingerprint-enrolled`), and the first use of an authorization (a
 * granted `access-decision` at a door of its area). The position is kept in iam_setting and
 * moves in the same transaction as what a batch changed, so a restart neither skips nor
 * repeats (and a repeat would change nothing anyway).
 */
export class EventFollower {
  constructor(
    private readonly ctx: IamContext,
    private readonly events: EventStore,
    private readonly batch = DEFAULT_FOLLOWER_BATCH,
  ) {}

  /** Reads and applies the next batch; returns how many events it read (0: caught up). */
  async runOnce(): Promise<number> {
    const cursor = await this.cursor(this.ctx.db);
    const events = this.events.receivedAfter(cursor, this.batch);
    const last = events.at(-1);
    if (last === undefined) return 0;
    await inTransaction(this.ctx.db, async (trx) => {
      for (const event of events) await this.apply(trx, event);
      const next: EventCursor = {
        receivedAt: last.receivedAt,
        site: last.site,
        epoch: last.epoch,
        seq: last.seq,
      };
      await trx
        .insertInto("iam_setting")
        .values({
          key: EVENTS_CURSOR_KEY,
          value: JSON.stringify(next),
          changed_by: SYSTEM_ACTOR.accountId,
          changed_at: this.ctx.clock.now(),
        })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            value: JSON.stringify(next),
            changed_at: this.ctx.clock.now(),
          }),
        )
        .execute();
    });
    this.ctx.committed();
    return events.length;
  }

  /** Runs batches until caught up (start-up, tests). */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  private async cursor(db: IamDb): Promise<EventCursor | undefined> {
    const row = await db
      .selectFrom("iam_setting")
      .select("value")
      .where("key", "=", EVENTS_CURSOR_KEY)
      .executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.value) as EventCursor);
  }

  private async apply(trx: IamDb, event: StoredEvent): Promise<void> {
    if (event.type === "fingerprint-enrolled") await this.enrolled(trx, event);
    else if (event.type === "access-decision") await this.decided(trx, event);
  }

  private async enrolled(trx: IamDb, event: StoredEvent): Promise<void> {
    const { personId, cardId } = payloadOf(event);
    if (!isId(personId) || !isId(cardId)) return;
    const current = await trx
      .selectFrom("iam_enrollment")
      .selectAll()
      .where("site_id", "=", event.site)
      .where("state_person_id", "=", personId)
      .executeTakeFirst();
    // Events of one site may arrive out of order after an outage: the newest enrollment wins.
    if (current !== undefined && current.enrolled_at > event.at) return;
    if (current?.state_card_id === cardId && current.enrolled_at === event.at) return;
    await trx
      .insertInto("iam_enrollment")
      .values({
        site_id: event.site,
        state_person_id: personId,
        state_card_id: cardId,
        enrolled_at: event.at,
      })
      .onConflict((oc) =>
        oc
          .columns(["site_id", "state_person_id"])
          .doUpdateSet({ state_card_id: cardId, enrolled_at: event.at }),
      )
      .execute();
    const person = await trx
      .selectFrom("iam_person")
      .select("id")
      .where("state_person_id", "=", personId)
      .executeTakeFirst();
    await appendAudit(trx, {
      actor: SYSTEM_ACTOR,
      at: this.ctx.clock.now(),
      action: "person.fingerprint-enrolled",
      entity: "person",
      entityId: person?.id ?? `state:${personId}`,
      before:
        current === undefined
          ? null
          : { siteId: event.site, stateCardId: current.state_card_id, at: current.enrolled_at },
      after: { siteId: event.site, stateCardId: cardId, at: event.at },
    });
  }

  private async decided(trx: IamDb, event: StoredEvent): Promise<void> {
    const { personId, outcome } = payloadOf(event);
    if (outcome !== "grant" || !isId(personId) || event.doorId === null) return;
    const door = await trx
      .selectFrom("iam_door")
      .select("area_id")
      .where("site_id", "=", event.site)
      .where("door_id", "=", event.doorId)
      .executeTakeFirst();
    if (door === undefined) return;
    // The decision names the person, not the employment: every live authorization of the
    // person for the door's area counts as used (there is one unless two companies employ
    // the same engineer for the same area).
    const unused = await trx
      .selectFrom("iam_authorization")
      .innerJoin("iam_employment", "iam_employment.id", "iam_authorization.employment_id")
      .innerJoin("iam_person", "iam_person.id", "iam_employment.person_id")
      .innerJoin("iam_catalogue_entry", "iam_catalogue_entry.id", "iam_authorization.entry_id")
      .select("iam_authorization.id")
      .where("iam_person.state_person_id", "=", personId)
      .where("iam_catalogue_entry.area_id", "=", door.area_id)
      .where("iam_authorization.status", "=", "active")
      .where("iam_authorization.first_used_at", "is", null)
      .execute();
    for (const { id } of unused) {
      await trx
        .updateTable("iam_authorization")
        .set({ first_used_at: event.at })
        .where("id", "=", id)
        .where("first_used_at", "is", null)
        .execute();
      await appendAudit(trx, {
        actor: SYSTEM_ACTOR,
        at: this.ctx.clock.now(),
        action: "authorization.first-used",
        entity: "authorization",
        entityId: id,
        before: { firstUsedAt: null },
        after: { firstUsedAt: event.at, siteId: event.site, doorId: event.doorId },
      });
    }
  }
}
