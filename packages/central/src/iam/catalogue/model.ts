import type { Selectable } from "kysely";
import type { CatalogueEntryTable, CatalogueService } from "./schema.js";

export type { CatalogueService };

/** The regional cable-distribution (KVD) keys: KVD-01 .. KVD-13. */
export const KVD_REGION_KEYS: readonly string[] = Array.from(
  { length: 13 },
  (_, i) => `KVD-${String(i + 1).padStart(2, "0")}`,
);

/**
 * Keys of "Sleutels Wholesale" (source chapters 7, 12): the exchange fence (Z), the 13
 * regional KVD keys or all of them at once (KVD-ALL), street cabinets (Z100), PoP fence (HS1).
 */
export const KEY_TYPES: readonly string[] = ["Z", ...KVD_REGION_KEYS, "KVD-ALL", "Z100", "HS1"];

/** What can be requested, by service and location. */
export interface CatalogueEntry {
  readonly id: number;
  readonly code: string;
  readonly service: CatalogueService;
  readonly name: string;
  readonly siteId: string | null;
  readonly areaId: number | null;
  readonly keyType: string | null;
  /** Certificate types the holder needs, valid, for as long as the access lasts. */
  readonly requiredCertificates: readonly string[];
  /** Colocation customers may not request it. */
  readonly excludesColocation: boolean;
  readonly active: boolean;
  readonly createdBy: string;
  readonly createdAt: number;
}

export function toCatalogueEntry(row: Selectable<CatalogueEntryTable>): CatalogueEntry {
  return {
    id: row.id,
    code: row.code,
    service: row.service,
    name: row.name,
    siteId: row.site_id,
    areaId: row.area_id,
    keyType: row.key_type,
    requiredCertificates: JSON.parse(row.required_certificates) as string[],
    excludesColocation: row.excludes_colocation === 1,
    active: row.active === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
