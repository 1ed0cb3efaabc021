import { type Actor, requireRole } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { iamNotFound, ruleRefused } from "../errors.js";
import { parse } from "../validation-common.js";
import { areaRow, siteRow } from "./state.js";
import { doorInput } from "./validation.js";

/** A door of a site and the area it opens into (the edges' configuration, as central knows it). */
export interface Door {
  readonly siteId: string;
  readonly doorId: string;
  readonly areaId: number;
  readonly name: string;
}

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor"] as const;

/** The door of a site, or undefined. */
export async function findDoor(
  db: IamDb,
  siteId: string,
  doorId: string,
): Promise<Door | undefined> {
  const row = await db
    .selectFrom("iam_door")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("door_id", "=", doorId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { siteId: row.site_id, doorId: row.door_id, areaId: row.area_id, name: row.name };
}

/**
 * Which area each door of a site belongs to: the helpdesk's explanation and the first use of
 * an authorization both go from a door to its area.
 */
export class DoorService {
  constructor(private readonly ctx: IamContext) {}

  /**
   * Registers a door or updates it (area, name). Refuses NOT_FOUND for an unknown site and
   * RULE `AREA_OF_OTHER_SITE` for an area that is not the site's.
   */
  async register(actor: Actor, input: unknown): Promise<{ door: Door; created: boolean }> {
    requireRole(actor, ["wholesale-admin"], "register doors");
    const data = parse(doorInput, input);
    const result = await inTransaction(this.ctx.db, async (trx) => {
      if ((await siteRow(trx, data.siteId)) === undefined) throw iamNotFound("site", data.siteId);
      const area = await areaRow(trx, data.areaId);
      if (area === undefined) throw iamNotFound("area", data.areaId);
      if (area.site_id !== data.siteId) {
        throw ruleRefused(
          "AREA_OF_OTHER_SITE",
          `area ${data.areaId} belongs to site ${area.site_id}, not to ${data.siteId}`,
        );
      }
      const before = await findDoor(trx, data.siteId, data.doorId);
      const door: Door = { ...data };
      if (before === undefined) {
        await trx
          .insertInto("iam_door")
          .values({
            site_id: door.siteId,
            door_id: door.doorId,
            area_id: door.areaId,
            name: door.name,
          })
          .execute();
      } else {
        await trx
          .updateTable("iam_door")
          .set({ area_id: door.areaId, name: door.name })
          .where("site_id", "=", door.siteId)
          .where("door_id", "=", door.doorId)
          .execute();
      }
      await appendAudit(trx, {
        actor,
        at: this.ctx.clock.now(),
        action: before === undefined ? "door.registered" : "door.updated",
        entity: "door",
        entityId: `${door.siteId}/${door.doorId}`,
        before: before ?? null,
        after: door,
      });
      return { door, created: before === undefined };
    });
    this.ctx.committed();
    return result;
  }

  /** The doors of a site, by door id; NOT_FOUND for an unknown site. */
  async list(actor: Actor, siteId: string): Promise<Door[]> {
    requireRole(actor, READERS, "read doors");
    if ((await siteRow(this.ctx.db, siteId)) === undefined) throw iamNotFound("site", siteId);
    const rows = await this.ctx.db
      .selectFrom("iam_door")
      .selectAll()
      .where("site_id", "=", siteId)
      .orderBy("door_id")
      .execute();
    return rows.map((r) => ({
      siteId: r.site_id,
      doorId: r.door_id,
      areaId: r.area_id,
      name: r.name,
    }));
  }
}
