import type { z } from "zod";
import { CentralError, conflict, invalid } from "../errors.js";
import {
  at,
  CERTIFICATE_TYPE,
  checkId,
  checkInstant,
  checkInterval,
  checkOptInt,
  checkOptText,
  checkRecord,
  checkText,
  fields,
  IdSet,
  RAW_BITS,
  STATUSES,
} from "./dataset-fields.js";
import {
  areaSchema,
  calendarSchema,
  companySchema,
  DATASET_KEYS,
  type Dataset,
  type DatasetAuthorization,
  type DatasetCard,
  type DatasetCertificate,
  type DatasetEmployment,
  type DatasetPerson,
  doorPolicySchema,
  parseList,
  scheduleSchema,
  siteSchema,
} from "./dataset-schemas.js";
import { CARD_STATUS_VALUES } from "./schemas.js";
import type { CentralStore } from "./store.js";

/**
 * A dataset whose every record was checked: the small lists parsed (defaults filled in), the
 * large ones as given (their records are known to be well-formed).
 */
export interface CheckedDataset {
  readonly sites: readonly z.output<typeof siteSchema>[];
  readonly companies: readonly z.output<typeof companySchema>[];
  readonly calendars: readonly z.output<typeof calendarSchema>[];
  readonly schedules: readonly z.output<typeof scheduleSchema>[];
  readonly areas: readonly z.output<typeof areaSchema>[];
  readonly doorPolicies: readonly z.output<typeof doorPolicySchema>[];
  readonly persons: readonly DatasetPerson[];
  readonly employments: readonly DatasetEmployment[];
  readonly cards: readonly DatasetCard[];
  readonly authorizations: readonly DatasetAuthorization[];
  readonly certificates: readonly DatasetCertificate[];
  /** Sites whose state the dataset changes (to be marked `needs_snapshot`). */
  readonly marked: Set<string>;
  /** Persons stored before this load whose cards or certificates it adds: their sites change. */
  readonly storedPersonsTouched: ReadonlySet<number>;
}

/**
 * Checks a whole dataset against itself and the store, before anything is written: every
 * record's fields, ids (no duplicates, none already stored) and references (into the
 * dataset or the store, staying in one site). Throws on the first bad record, naming it
 * (`cards[12].personId`).
 */
export function checkDataset(store: CentralStore, dataset: Dataset): CheckedDataset {
  if (typeof dataset !== "object" || dataset === null)
    throw invalid("dataset", "expected an object");
  for (const key of Object.keys(dataset)) {
    if (!(DATASET_KEYS as readonly string[]).includes(key)) throw invalid(key, "unknown list");
    if (!Array.isArray((dataset as Record<string, unknown>)[key])) {
      throw invalid(key, "expected an array");
    }
  }
  const sites = parseList(siteSchema, dataset.sites, "sites");
  const companies = parseList(companySchema, dataset.companies, "companies");
  const calendars = parseList(calendarSchema, dataset.holidayCalendars, "holidayCalendars");
  const schedules = parseList(scheduleSchema, dataset.schedules, "schedules");
  const areas = parseList(areaSchema, dataset.areas, "areas");
  const doorPolicies = parseList(doorPolicySchema, dataset.doorPolicies, "doorPolicies");
  const persons = dataset.persons ?? [];
  const employments = dataset.employments ?? [];
  const cards = dataset.cards ?? [];
  const authorizations = dataset.authorizations ?? [];
  const certificates = dataset.certificates ?? [];

  const exists = (table: string, key: string | number): boolean =>
    store.statement(`SELECT 1 FROM ${table} WHERE id = ?`).get(key) !== undefined;
  /** The ids of one list, refusing invalid and duplicate ids and ids already stored. */
  const idSet = (list: readonly unknown[], key: string, table: string): IdSet => {
    const ids = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const record = list[i];
      ids[i] = checkId(
        typeof record === "object" && record !== null ? (record as { id?: unknown }).id : undefined,
        key,
        i,
        "id",
      );
    }
    const set = new IdSet(ids, (i) => {
      throw conflict(at(key, i, "id"), `duplicate id ${ids[i]}`);
    });
    // Ids already stored: only ids at or below the table's largest can be (one lookup each).
    const max = store.statement(`SELECT max(id) FROM ${table}`).pluck().get() as number | null;
    if (max !== null) {
      for (let i = 0; i < ids.length; i++) {
        if ((ids[i] as number) <= max && exists(table, ids[i] as number)) {
          throw conflict(at(key, i, "id"), `id ${ids[i]} is already stored`);
        }
      }
    }
    return set;
  };
  /** A reference into the dataset or the store (store answers cached). */
  const reference = (ids: IdSet, table: string, what: string) => {
    const stored = new Map<number, boolean>();
    return (v: unknown, list: string, i: number, field: string): number => {
      const k = checkId(v, list, i, field);
      if (ids.has(k)) return k;
      let found = stored.get(k);
      if (found === undefined) {
        found = exists(table, k);
        stored.set(k, found);
      }
      if (!found)
        throw new CentralError("NOT_FOUND", at(list, i, field), `no ${what} with id ${k}`);
      return k;
    };
  };

  const siteIds = new Set<string>();
  sites.forEach((site, i) => {
    if (siteIds.has(site.id) || exists("site", site.id)) {
      throw conflict(at("sites", i, "id"), `site "${site.id}" already exists`);
    }
    siteIds.add(site.id);
  });
  const companyIds = idSet(companies, "companies", "company");
  const personIds = idSet(persons, "persons", "person");
  const employmentIds = idSet(employments, "employments", "employment");
  idSet(cards, "cards", "card");
  idSet(calendars, "holidayCalendars", "holiday_calendar");
  idSet(schedules, "schedules", "schedule");
  idSet(areas, "areas", "area");
  idSet(authorizations, "authorizations", "access_authorization");
  idSet(certificates, "certificates", "certificate");

  const siteRef = (site: string, path: string): void => {
    if (!siteIds.has(site) && !exists("site", site)) {
      throw new CentralError("NOT_FOUND", path, `no site with id "${site}"`);
    }
  };
  const companyRef = reference(companyIds, "company", "company");
  const personRef = reference(personIds, "person", "person");
  const employmentRef = reference(employmentIds, "employment", "employment");

  // Site of every calendar, schedule and area (dataset or store): references stay in a site.
  const siteOf = (table: string, what: string, list: readonly { id: number; siteId: string }[]) => {
    const map = new Map<number, string>(list.map((r) => [r.id, r.siteId]));
    return (v: unknown, list: string, i: number, field: string): string => {
      const k = checkId(v, list, i, field);
      let s = map.get(k);
      if (s === undefined) {
        s = store.statement(`SELECT site_id FROM ${table} WHERE id = ?`).pluck().get(k) as
          | string
          | undefined;
        if (s === undefined) {
          throw new CentralError("NOT_FOUND", at(list, i, field), `no ${what} with id ${k}`);
        }
        map.set(k, s);
      }
      return s;
    };
  };
  const calendarSite = siteOf("holiday_calendar", "holiday calendar", calendars);
  const scheduleSite = siteOf("schedule", "schedule", schedules);
  const areaSite = siteOf("area", "area", areas);
  const sameSite = (got: string, want: string, list: string, i: number, field: string): void => {
    if (got !== want) {
      throw invalid(at(list, i, field), `belongs to site "${got}", not to "${want}"`);
    }
  };

  const marked = new Set<string>(sites.map((s) => s.id));
  calendars.forEach((c, i) => {
    siteRef(c.siteId, at("holidayCalendars", i, "siteId"));
    marked.add(c.siteId);
  });
  schedules.forEach((s, i) => {
    siteRef(s.siteId, at("schedules", i, "siteId"));
    if (s.holidayCalendarId !== null) {
      const cal = calendarSite(s.holidayCalendarId, "schedules", i, "holidayCalendarId");
      sameSite(cal, s.siteId, "schedules", i, "holidayCalendarId");
    }
    marked.add(s.siteId);
  });
  areas.forEach((a, i) => {
    siteRef(a.siteId, at("areas", i, "siteId"));
    marked.add(a.siteId);
  });
  const doorKeys = new Set<string>();
  doorPolicies.forEach((d, i) => {
    siteRef(d.siteId, at("doorPolicies", i, "siteId"));
    const key = `${d.siteId}\u0000${d.doorId}`;
    if (doorKeys.has(key)) throw conflict(at("doorPolicies", i, "doorId"), "duplicate door");
    doorKeys.add(key);
    if (
      store
        .statement("SELECT 1 FROM door_policy WHERE site_id = ? AND door_id = ?")
        .get(d.siteId, d.doorId) !== undefined
    ) {
      throw conflict(at("doorPolicies", i, "doorId"), "this door already has a policy");
    }
    if (d.unlockScheduleId !== null) {
      const site = scheduleSite(d.unlockScheduleId, "doorPolicies", i, "unlockScheduleId");
      sameSite(site, d.siteId, "doorPolicies", i, "unlockScheduleId");
    }
    marked.add(d.siteId);
  });

  // Persons stored before this load whose cards or certificates it adds: their sites change.
  const storedPersonsTouched = new Set<number>();

  const personFields = fields("id", "displayName");
  persons.forEach((p, i) => {
    const r = checkRecord(p, "persons", i, personFields);
    checkText(r.displayName, "persons", i, "displayName", 100);
  });
  const employmentFields = fields("id", "personId", "companyId", "start", "end");
  // A person-company pair twice is refused by the unique index (CONFLICT).
  employments.forEach((e, i) => {
    const r = checkRecord(e, "employments", i, employmentFields);
    personRef(r.personId, "employments", i, "personId");
    companyRef(r.companyId, "employments", i, "companyId");
    checkInterval(r, "employments", i, "start", "end", true);
  });
  const cardFields = fields(
    "id",
    "personId",
    "format",
    "facility",
    "number",
    "rawBits",
    "status",
    "statusReason",
    "activatedAt",
    "validFrom",
    "validUntil",
  );
  cards.forEach((c, i) => {
    const r = checkRecord(c, "cards", i, cardFields);
    const personId = personRef(r.personId, "cards", i, "personId");
    if (!personIds.has(personId)) storedPersonsTouched.add(personId);
    checkText(r.format, "cards", i, "format", 32);
    checkOptInt(r.facility, "cards", i, "facility");
    checkOptInt(r.number, "cards", i, "number");
    const bits = r.rawBits;
    if (bits !== undefined && bits !== null && (typeof bits !== "string" || !RAW_BITS.test(bits))) {
      throw invalid(at("cards", i, "rawBits"), "expected 1..128 bits of 0 and 1");
    }
    if ((r.number === undefined || r.number === null) && (bits === undefined || bits === null)) {
      throw invalid(at("cards", i, "number"), "a card needs a number or raw bits");
    }
    if (typeof r.status !== "string" || !STATUSES.has(r.status)) {
      throw invalid(at("cards", i, "status"), `expected one of ${CARD_STATUS_VALUES.join(", ")}`);
    }
    checkOptText(r.statusReason, "cards", i, "statusReason", 500);
    checkInstant(r.activatedAt, "cards", i, "activatedAt", false);
    checkInterval(r, "cards", i, "validFrom", "validUntil");
  });
  const authorizationFields = fields(
    "id",
    "employmentId",
    "areaId",
    "validFrom",
    "validUntil",
    "scheduleId",
  );
  let lastArea = -1;
  let lastSite = "";
  authorizations.forEach((z, i) => {
    const r = checkRecord(z, "authorizations", i, authorizationFields);
    employmentRef(r.employmentId, "authorizations", i, "employmentId");
    const site =
      r.areaId === lastArea ? lastSite : areaSite(r.areaId, "authorizations", i, "areaId");
    lastArea = r.areaId as number;
    lastSite = site;
    marked.add(site);
    if (r.scheduleId !== undefined && r.scheduleId !== null) {
      const scheduleSiteId = scheduleSite(r.scheduleId, "authorizations", i, "scheduleId");
      sameSite(scheduleSiteId, site, "authorizations", i, "scheduleId");
    }
    checkInterval(r, "authorizations", i, "validFrom", "validUntil");
  });
  const certificateFields = fields("id", "personId", "type", "validFrom", "validUntil");
  certificates.forEach((c, i) => {
    const r = checkRecord(c, "certificates", i, certificateFields);
    const personId = personRef(r.personId, "certificates", i, "personId");
    if (!personIds.has(personId)) storedPersonsTouched.add(personId);
    if (typeof r.type !== "string" || !CERTIFICATE_TYPE.test(r.type)) {
      throw invalid(
        at("certificates", i, "type"),
        "a certificate type is 1..32 of A-Z, a-z, 0-9, _ and -",
      );
    }
    checkInterval(r, "certificates", i, "validFrom", "validUntil");
  });

  return {
    sites,
    companies,
    calendars,
    schedules,
    areas,
    doorPolicies,
    persons,
    employments,
    cards,
    authorizations,
    certificates,
    marked,
    storedPersonsTouched,
  };
}
