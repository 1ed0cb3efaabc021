import { type Actor, requireRole, seesCompany } from "../actor.js";
import { appendAudit } from "../audit.js";
import type { IamContext } from "../context.js";
import { type IamDb, inTransaction } from "../db.js";
import { IamError, IamValidationError, iamNotFound } from "../errors.js";
import { type CatalogueEntry, toCatalogueEntry } from "./model.js";
import { STANDARD_CATALOGUE } from "./standard.js";
import { type CatalogueEntryData, validateCatalogueEntry } from "./validation.js";

const READERS = ["wholesale-admin", "manager", "helpdesk", "auditor", "partner-contact"] as const;

/**
 * The catalogue (what can be requested, by service and location) and each company's
 * profile (the entries it may request; nothing outside it can be requested). Wholesale
 * admins maintain both; a partner contact reads its own company's profile only.
 */
export class CatalogueService {
  constructor(private readonly ctx: IamContext) {}

  /**
   * Creates an entry. Physical entries name an area of their site (the area's own required
   * certificates are added to the entry's). CONFLICT `DUPLICATE_CODE` for a code in use.
   */
  async create(actor: Actor, input: unknown): Promise<CatalogueEntry> {
    requireRole(actor, ["wholesale-admin"], "create catalogue entries");
    const data = validateCatalogueEntry(input);
    const entry = await inTransaction(this.ctx.db, async (trx) => {
      const existing = await trx
        .selectFrom("iam_catalogue_entry")
        .select(["id", "code"])
        .where("code", "=", data.code)
        .executeTakeFirst();
      if (existing !== undefined) {
        throw new IamError(
          "CONFLICT",
          `catalogue code ${data.code} is in use by entry ${existing.id}`,
          "DUPLICATE_CODE",
          { existing: { id: existing.id, code: existing.code } },
        );
      }
      return this.insert(trx, actor, this.withArea(data));
    });
    this.ctx.committed();
    this.ctx.log?.info({ actor: actor.accountId, entryId: entry.id }, "catalogue entry created");
    return entry;
  }

  /** Adds the key and application entries of the work instruction that are not there yet. */
  async installStandardCatalogue(actor: Actor): Promise<CatalogueEntry[]> {
    requireRole(actor, ["wholesale-admin"], "install the standard catalogue");
    const created = await inTransaction(this.ctx.db, async (trx) => {
      const out: CatalogueEntry[] = [];
      for (const data of STANDARD_CATALOGUE) {
        const existing = await trx
          .selectFrom("iam_catalogue_entry")
          .select("id")
          .where("code", "=", data.code)
          .executeTakeFirst();
        if (existing === undefined) out.push(await this.insert(trx, actor, data));
      }
      return out;
    });
    this.ctx.committed();
    return created;
  }

  /** All entries by id; a partner contact sees its own profile's entries only. */
  async list(actor: Actor): Promise<CatalogueEntry[]> {
    requireRole(actor, READERS, "read the catalogue");
    if (actor.role === "partner-contact") return this.profile(actor, actor.companyId ?? -1);
    const rows = await this.ctx.db
      .selectFrom("iam_catalogue_entry")
      .selectAll()
      .orderBy("id")
      .execute();
    return rows.map(toCatalogueEntry);
  }

  async get(actor: Actor, entryId: number): Promise<CatalogueEntry> {
    requireRole(actor, READERS, "read the catalogue");
    const entry = await findEntry(this.ctx.db, entryId);
    if (entry === undefined) throw iamNotFound("catalogue entry", entryId);
    if (
      actor.role === "partner-contact" &&
      !(await inProfile(this.ctx.db, actor.companyId ?? -1, entryId))
    ) {
      throw iamNotFound("catalogue entry", entryId);
    }
    return entry;
  }

  /** The entries company `companyId` may request, by id (a partner: its own company only). */
  async profile(actor: Actor, companyId: number): Promise<CatalogueEntry[]> {
    requireRole(actor, READERS, "read profiles");
    await this.visibleCompany(this.ctx.db, actor, companyId);
    const rows = await this.ctx.db
      .selectFrom("iam_profile_entry")
      .innerJoin("iam_catalogue_entry", "iam_catalogue_entry.id", "iam_profile_entry.entry_id")
      .selectAll("iam_catalogue_entry")
      .where("iam_profile_entry.company_id", "=", companyId)
      .orderBy("iam_catalogue_entry.id")
      .execute();
    return rows.map(toCatalogueEntry);
  }

  /** Puts an entry in a company's profile; returns false when it was there already. */
  async addToProfile(actor: Actor, companyId: number, entryId: number): Promise<boolean> {
    requireRole(actor, ["wholesale-admin"], "change profiles");
    const added = await inTransaction(this.ctx.db, async (trx) => {
      await this.visibleCompany(trx, actor, companyId);
      if ((await findEntry(trx, entryId)) === undefined)
        throw iamNotFound("catalogue entry", entryId);
      if (await inProfile(trx, companyId, entryId)) return false;
      const at = this.ctx.clock.now();
      await trx
        .insertInto("iam_profile_entry")
        .values({
          company_id: companyId,
          entry_id: entryId,
          added_by: actor.accountId,
          added_at: at,
        })
        .execute();
      await appendAudit(trx, {
        actor,
        at,
        action: "profile.entry-added",
        entity: "profile",
        entityId: companyId,
        before: null,
        after: { companyId, entryId },
      });
      return true;
    });
    this.ctx.committed();
    return added;
  }

  /**
   * Takes an entry out of a company's profile: it can no longer be requested, and pending
   * grants of it are refused at approval. Live authorizations stay (an access review ends
   * them). Returns false when it was not there.
   */
  async removeFromProfile(actor: Actor, companyId: number, entryId: number): Promise<boolean> {
    requireRole(actor, ["wholesale-admin"], "change profiles");
    const removed = await inTransaction(this.ctx.db, async (trx) => {
      await this.visibleCompany(trx, actor, companyId);
      if ((await findEntry(trx, entryId)) === undefined)
        throw iamNotFound("catalogue entry", entryId);
      const result = await trx
        .deleteFrom("iam_profile_entry")
        .where("company_id", "=", companyId)
        .where("entry_id", "=", entryId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await appendAudit(trx, {
        actor,
        at: this.ctx.clock.now(),
        action: "profile.entry-removed",
        entity: "profile",
        entityId: companyId,
        before: { companyId, entryId },
        after: null,
      });
      return true;
    });
    this.ctx.committed();
    return removed;
  }

  // --- internals ---

  private async visibleCompany(db: IamDb, actor: Actor, companyId: number): Promise<void> {
    const row = await db
      .selectFrom("iam_company")
      .select("id")
      .where("id", "=", companyId)
      .executeTakeFirst();
    if (row === undefined || !seesCompany(actor, companyId))
      throw iamNotFound("company", companyId);
  }

  /** Checks the area belongs to the site; adds the area's required certificates. */
  private withArea(data: CatalogueEntryData): CatalogueEntryData {
    if (data.service !== "physical" || data.areaId === null) return data;
    const area = this.ctx.commands.store.db
      .prepare<[number], { site_id: string; required_certificates: string }>(
        "SELECT site_id, required_certificates FROM area WHERE id = ?",
      )
      .get(data.areaId);
    if (area === undefined) {
      throw new IamValidationError([{ path: "areaId", message: `no area with id ${data.areaId}` }]);
    }
    if (area.site_id !== data.siteId) {
      throw new IamValidationError([
        {
          path: "areaId",
          message: `area ${data.areaId} is at site ${area.site_id}, not ${data.siteId}`,
        },
      ]);
    }
    const areaCertificates = JSON.parse(area.required_certificates) as string[];
    const all = [...new Set([...data.requiredCertificates, ...areaCertificates])].sort();
    return { ...data, requiredCertificates: all };
  }

  private async insert(
    trx: IamDb,
    actor: Actor,
    data: CatalogueEntryData,
  ): Promise<CatalogueEntry> {
    const at = this.ctx.clock.now();
    const row = await trx
      .insertInto("iam_catalogue_entry")
      .values({
        code: data.code,
        service: data.service,
        name: data.name,
        site_id: data.siteId,
        area_id: data.areaId,
        key_type: data.keyType,
        required_certificates: JSON.stringify(data.requiredCertificates),
        excludes_colocation: data.excludesColocation ? 1 : 0,
        active: 1,
        created_by: actor.accountId,
        created_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const entry = toCatalogueEntry(row);
    await appendAudit(trx, {
      actor,
      at,
      action: "catalogue-entry.created",
      entity: "catalogue-entry",
      entityId: entry.id,
      before: null,
      after: entry,
    });
    return entry;
  }
}

export async function findEntry(db: IamDb, entryId: number): Promise<CatalogueEntry | undefined> {
  const row = await db
    .selectFrom("iam_catalogue_entry")
    .selectAll()
    .where("id", "=", entryId)
    .executeTakeFirst();
  return row === undefined ? undefined : toCatalogueEntry(row);
}

export async function inProfile(db: IamDb, companyId: number, entryId: number): Promise<boolean> {
  const row = await db
    .selectFrom("iam_profile_entry")
    .select("entry_id")
    .where("company_id", "=", companyId)
    .where("entry_id", "=", entryId)
    .executeTakeFirst();
  return row !== undefined;
}
