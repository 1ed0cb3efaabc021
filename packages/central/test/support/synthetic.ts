import type {
  Dataset,
  DatasetArea,
  DatasetAuthorization,
  DatasetCard,
  DatasetCertificate,
  DatasetEmployment,
  DatasetPerson,
} from "../../src/index.js";

export interface SyntheticSize {
  readonly sites: number;
  readonly areasPerSite: number;
  readonly companies: number;
  readonly persons: number;
  readonly employments: number;
  readonly cards: number;
  readonly authorizations: number;
  readonly certificates: number;
}

export const BENCH_SIZE: SyntheticSize = {
  sites: 1,
  areasPerSite: 40,
  companies: 300,
  persons: 800_000,
  employments: 1_000_000,
  cards: 2_000_000,
  authorizations: 2_000_000,
  certificates: 100_000,
};

const T0 = Date.parse("2025-01-01T00:00:00Z");
const YEAR = 365 * 24 * 3600 * 1000;

/**
 * A deterministic dataset: every person has employments with distinct companies, cards
 * spread over persons (the first card of each person active), authorizations spread over
 * employments and the areas of all sites (round robin), so each site gets its share.
 */
export function syntheticDataset(size: SyntheticSize): Dataset {
  const sites = Array.from({ length: size.sites }, (_, i) => ({
    id: `site-${i + 1}`,
    name: `Exchange ${i + 1}`,
    fingerprintRequired: i % 4 === 0,
  }));
  const companies = Array.from({ length: size.companies }, (_, i) => ({
    id: i + 1,
    name: `Partner ${i + 1} B.V.`,
  }));
  const schedules = sites.map((s, i) => ({
    id: i + 1,
    siteId: s.id,
    name: "Office hours",
    windows: [{ days: [1, 2, 3, 4, 5], from: "07:00", until: "19:00" }],
  }));
  const areas: DatasetArea[] = [];
  for (let s = 0; s < size.sites; s++) {
    for (let a = 0; a < size.areasPerSite; a++) {
      areas.push({
        id: s * size.areasPerSite + a + 1,
        siteId: `site-${s + 1}`,
        name: `Area ${a + 1}`,
        requiredCertificates: a % 10 === 9 ? ["KVD"] : [],
      });
    }
  }
  const persons: DatasetPerson[] = new Array(size.persons);
  for (let i = 0; i < size.persons; i++) {
    persons[i] = {
      id: i + 1,
      displayName: `${String.fromCharCode(65 + (i % 26))}. Person ${i + 1}`,
    };
  }
  const employments: DatasetEmployment[] = new Array(size.employments);
  for (let i = 0; i < size.employments; i++) {
    const person = (i % size.persons) + 1;
    const k = Math.floor(i / size.persons);
    employments[i] = {
      id: i + 1,
      personId: person,
      companyId: ((k * 97 + person) % size.companies) + 1,
      start: T0 - (i % 1000) * 86_400_000,
      end: i % 50 === 0 ? T0 + YEAR : null,
    };
  }
  const cards: DatasetCard[] = new Array(size.cards);
  for (let i = 0; i < size.cards; i++) {
    cards[i] = {
      id: i + 1,
      personId: (i % size.persons) + 1,
      format: "H10301",
      facility: Math.floor(i / 65_536),
      number: i % 65_536,
      rawBits: null,
      status: i < size.persons ? "active" : "replaced",
      statusReason: null,
      activatedAt: T0,
      validFrom: null,
      validUntil: T0 + 5 * YEAR,
    };
  }
  const authorizations: DatasetAuthorization[] = new Array(size.authorizations);
  for (let i = 0; i < size.authorizations; i++) {
    const area = areas[i % areas.length] as DatasetArea;
    const site = Math.floor((area.id - 1) / size.areasPerSite);
    authorizations[i] = {
      id: i + 1,
      employmentId: (i % size.employments) + 1,
      areaId: area.id,
      validFrom: null,
      validUntil: i % 3 === 0 ? T0 + 2 * YEAR : null,
      scheduleId: i % 5 === 0 ? site + 1 : null,
    };
  }
  const certificates: DatasetCertificate[] = new Array(size.certificates);
  for (let i = 0; i < size.certificates; i++) {
    certificates[i] = {
      id: i + 1,
      personId: ((i * 7) % size.persons) + 1,
      type: i % 2 === 0 ? "KVD" : "TTG",
      validFrom: T0,
      validUntil: T0 + 3 * YEAR,
    };
  }
  return {
    sites,
    companies,
    schedules,
    areas,
    persons,
    employments,
    cards,
    authorizations,
    certificates,
    doorPolicies: sites.map((s) => ({ siteId: s.id, doorId: "main", mode: "card" as const })),
  };
}
