import type {
  Dataset,
  DatasetArea,
  DatasetAuthorization,
  DatasetCard,
  DatasetCertificate,
  DatasetEmployment,
  DatasetPerson,
  DatasetSchedule,
} from "@acs/central";

/**
 * Central datasets for the sync benchmark, in the proportions of central's own bench
 * (packages/central/test/support/synthetic.ts): per 2,000,000 cards 800,000 persons,
 * 1,000,000 employments, 2,000,000 authorizations and 100,000 certificates.
 */
export interface SiteSizes {
  readonly persons: number;
  readonly employments: number;
  readonly cards: number;
  readonly authorizations: number;
  readonly certificates: number;
  readonly areas: number;
}

/** The sizes of a site with `cards` cards, in the proportions above. */
export function sizesFor(cards: number, areas = 40): SiteSizes {
  const n = (f: number) => Math.max(1, Math.round(cards * f));
  return {
    persons: n(0.4),
    employments: n(0.5),
    cards,
    authorizations: cards,
    certificates: n(0.05),
    areas,
  };
}

/** A card's H10301 credential, unique in the whole store by its global id. */
export function cardFields(cardId: number): { facility: number; card: number } {
  return { facility: Math.floor(cardId / 65_536) % 256, card: cardId % 65_536 };
}

/** A person authorized at the first area of every site (the revocation benchmark's). */
export interface RoamingPerson {
  readonly personId: number;
  readonly employmentId: number;
  readonly cardId: number;
}

export interface SiteLayout {
  readonly id: string;
  /** The area every roaming person is authorized for (no schedule, no certificate). */
  readonly openAreaId: number;
  readonly cardIds: { readonly first: number; readonly count: number };
}

export interface GeneratedDataset {
  readonly dataset: Dataset;
  readonly sites: readonly SiteLayout[];
  readonly roaming: readonly RoamingPerson[];
  readonly records: number;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/**
 * Sites with the given sizes, ids running on over all of them (so every credential is
 * unique), plus `roaming` persons, each with one employment, one active card and an
 * authorization for the open area of every site. Statuses, ended employments, schedules
 * and certificates are mixed in as in central's synthetic dataset; the first card of each
 * person is active, the others replaced.
 */
export function syncDataset(
  specs: ReadonlyArray<{ readonly id: string; readonly sizes: SiteSizes }>,
  roaming = 0,
  now = Date.now(),
): GeneratedDataset {
  const t0 = now - 200 * DAY;
  const companies = Array.from({ length: 300 }, (_, i) => ({
    id: i + 1,
    name: `Partner ${i + 1}`,
  }));
  const persons: DatasetPerson[] = [];
  const employments: DatasetEmployment[] = [];
  const cards: DatasetCard[] = [];
  const areas: DatasetArea[] = [];
  const schedules: DatasetSchedule[] = [];
  const authorizations: DatasetAuthorization[] = [];
  const certificates: DatasetCertificate[] = [];
  const layouts: SiteLayout[] = [];
  const card = (id: number, personId: number, active: boolean): DatasetCard => {
    const f = cardFields(id);
    return {
      id,
      personId,
      format: "H10301",
      facility: f.facility,
      number: f.card,
      rawBits: null,
      status: active ? "active" : "replaced",
      statusReason: null,
      activatedAt: t0,
      validFrom: null,
      validUntil: now + 5 * YEAR,
    };
  };
  for (const [s, spec] of specs.entries()) {
    const z = spec.sizes;
    const personBase = persons.length;
    const employmentBase = employments.length;
    const areaBase = areas.length;
    const scheduleId = s + 1;
    schedules.push({
      id: scheduleId,
      siteId: spec.id,
      name: "Office hours",
      windows: [{ days: [1, 2, 3, 4, 5], from: "07:00", until: "19:00" }],
    });
    for (let a = 0; a < z.areas; a++) {
      areas.push({
        id: areaBase + a + 1,
        siteId: spec.id,
        name: `Area ${a + 1}`,
        requiredCertificates: a % 10 === 9 ? ["KVD"] : [],
      });
    }
    for (let i = 0; i < z.persons; i++) {
      persons.push({ id: personBase + i + 1, displayName: `P. Person ${personBase + i + 1}` });
    }
    for (let i = 0; i < z.employments; i++) {
      const p = i % z.persons;
      const k = Math.floor(i / z.persons);
      employments.push({
        id: employmentBase + i + 1,
        personId: personBase + p + 1,
        companyId: ((k * 97 + p) % companies.length) + 1,
        start: t0 - (i % 1000) * DAY,
        end: i % 50 === 0 ? now + YEAR : null,
      });
    }
    const firstCard = cards.length + 1;
    for (let i = 0; i < z.cards; i++) {
      cards.push(card(cards.length + 1, personBase + (i % z.persons) + 1, i < z.persons));
    }
    for (let i = 0; i < z.authorizations; i++) {
      const a = i % z.areas;
      authorizations.push({
        id: authorizations.length + 1,
        employmentId: employmentBase + (i % z.employments) + 1,
        areaId: areaBase + a + 1,
        validFrom: null,
        validUntil: i % 3 === 0 ? now + 2 * YEAR : null,
        scheduleId: i % 5 === 0 ? scheduleId : null,
      });
    }
    for (let i = 0; i < z.certificates; i++) {
      certificates.push({
        id: certificates.length + 1,
        personId: personBase + ((i * 7) % z.persons) + 1,
        type: i % 2 === 0 ? "KVD" : "TTG",
        validFrom: t0,
        validUntil: now + 3 * YEAR,
      });
    }
    layouts.push({
      id: spec.id,
      openAreaId: areaBase + 1,
      cardIds: { first: firstCard, count: z.cards },
    });
  }
  const roamers: RoamingPerson[] = [];
  for (let r = 0; r < roaming; r++) {
    const personId = persons.length + 1;
    const employmentId = employments.length + 1;
    const cardId = cards.length + 1;
    persons.push({ id: personId, displayName: `R. Roaming ${r + 1}` });
    employments.push({ id: employmentId, personId, companyId: 1, start: t0, end: null });
    cards.push(card(cardId, personId, true));
    for (const site of layouts) {
      authorizations.push({
        id: authorizations.length + 1,
        employmentId,
        areaId: site.openAreaId,
        validFrom: null,
        validUntil: null,
        scheduleId: null,
      });
    }
    roamers.push({ personId, employmentId, cardId });
  }
  const dataset: Dataset = {
    sites: specs.map((s) => ({ id: s.id, name: `Exchange ${s.id}`, fingerprintRequired: false })),
    companies,
    schedules,
    areas,
    persons,
    employments,
    cards,
    authorizations,
    certificates,
    doorPolicies: specs.map((s) => ({ siteId: s.id, doorId: "main", mode: "card" as const })),
  };
  const records =
    persons.length +
    employments.length +
    cards.length +
    authorizations.length +
    certificates.length;
  return { dataset, sites: layouts, roaming: roamers, records };
}
