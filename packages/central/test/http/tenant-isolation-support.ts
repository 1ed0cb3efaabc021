import type { Actor } from "../../src/iam/actor.js";
import type { Workflow } from "../../src/iam/workflow.js";
import {
  type ApiCaller,
  actors,
  seedEntry,
  type WorkflowFixture,
} from "../iam/workflow-support.js";

/**
 * Company B's records, seeded through the services as the real workflow would create them,
 * with distinctive personal data so that a leak shows up as a marker in a response body.
 */
export interface CompanyBRecords {
  readonly personId: number;
  readonly employmentId: number;
  /** A second engineer whose card request is still waiting for a decision. */
  readonly requestedPersonId: number;
  readonly requestedEmploymentId: number;
  readonly cardId: number;
  readonly requestedCardId: number;
  readonly certificateId: number;
  /** A catalogue entry in B's profile only. */
  readonly entryId: number;
  /** A submitted request item of partner B, waiting for a decision. */
  readonly itemId: number;
  readonly authorizationId: number;
  readonly keyId: number;
  readonly reviewId: number;
  readonly lineId: number;
  readonly contactPersonId: number;
  readonly apiTokenId: string;
  readonly delegationId: number;
  readonly doorId: string;
  /** Strings that must never appear in an answer to partner A. */
  readonly markers: readonly string[];
}

export const B_SURNAME = "Zwanenburgh";
export const B_SECOND_SURNAME = "Quakkelstein";
export const B_EMAIL = "q.zwanenburgh@glasweb-b.nl";
export const B_SECOND_EMAIL = "r.quakkelstein@glasweb-b.nl";
export const B_CARD_NUMBER = 731946;
const B_ID_NUMBER = "BQ7310042";

function employmentInput(
  companyId: number,
  surname: string,
  email: string,
  over: Record<string, unknown> = {},
) {
  return {
    person: { initials: "Q.X.", surname, birthDate: "1979-11-23" },
    companyId,
    managerName: "W. Vlietstra-Bokma",
    email,
    mobile: "+31698765432",
    address: {
      street: "Vlierbesstraat",
      number: "77",
      postcode: "9733 ZX",
      city: "Groningen",
      country: "NL",
    },
    postalChoice: "private",
    idType: "passport",
    idNumber: B_ID_NUMBER,
    startDate: "2026-03-02",
    ...over,
  };
}

async function activationCode(f: WorkflowFixture): Promise<string> {
  const row = f.commands.store.db
    .prepare(
      "SELECT parameters FROM iam_notification_outbox WHERE template = 'card-activation-code' ORDER BY id DESC LIMIT 1",
    )
    .get() as { parameters: string };
  return (JSON.parse(row.parameters) as { code: string }).code;
}

async function approvedItem(
  w: Workflow,
  partner: Actor,
  employmentId: number,
  entryId: number,
  motivation: string,
  decide: boolean,
  action: "grant" | "revoke" = "grant",
): Promise<{ itemId: number; authorizationId: number | null }> {
  const [item] = await w.requests.addItems(partner, {
    employmentIds: [employmentId],
    entryId,
    action,
  });
  if (item === undefined) throw new Error("no request item");
  await w.requests.setMotivation(partner, item.id, motivation);
  await w.requests.submit(partner);
  if (!decide) return { itemId: item.id, authorizationId: null };
  const decided = await w.requests.decide(actors.manager, item.id, { decision: "approve" });
  return { itemId: item.id, authorizationId: decided.authorizationId ?? null };
}

/** Company A gets an engineer of its own (so that its lists are not trivially empty). */
export async function seedCompanyA(f: WorkflowFixture, w: Workflow): Promise<number> {
  const created = await w.persons.createEmployment(
    f.partnerA,
    employmentInput(f.companyA, "Aardewerk", "h.aardewerk@netbouw.nl", {
      person: { initials: "H.", surname: "Aardewerk", birthDate: "1990-01-15" },
      idNumber: "AA1234567",
      postalChoice: "business",
    }),
  );
  return created.employment.id;
}

/** Company B with a rich life: engineers, cards, a certificate, requests, a key, a review. */
export async function seedCompanyB(
  f: WorkflowFixture,
  w: Workflow,
  call: ApiCaller,
): Promise<CompanyBRecords> {
  const pB = f.partnerB;
  const first = await w.persons.createEmployment(
    pB,
    employmentInput(f.companyB, B_SURNAME, B_EMAIL, { requestCard: true }),
  );
  const employmentId = first.employment.id;
  const cardId = first.cardRequestId;
  if (cardId === null) throw new Error("no card request");
  await w.cards.approve(actors.manager, cardId);
  await w.cards.produce(actors.admin, cardId, { number: B_CARD_NUMBER });
  await w.cards.ship(actors.admin, cardId);
  await w.cards.activate(pB, cardId, { code: await activationCode(f) });

  const second = await w.persons.createEmployment(
    pB,
    employmentInput(f.companyB, B_SECOND_SURNAME, B_SECOND_EMAIL, {
      person: { initials: "R.", surname: B_SECOND_SURNAME, birthDate: "1983-07-09" },
      requestCard: true,
    }),
  );
  const requestedCardId = second.cardRequestId;
  if (requestedCardId === null) throw new Error("no second card request");

  const now = f.clock.now();
  const certificate = await w.certificates.register(actors.institute, {
    personId: first.employment.person.id,
    type: "VCA",
    validFrom: "2026-01-01",
    validUntil: "2027-01-01",
  });

  const physical = await seedEntry(f, { code: "AMS01-ZWAN-APP" }, [f.companyB]);
  const key = await seedEntry(f, { code: "KEY-ZWAN", service: "key", keyType: "KVD-ZWAN" }, [
    f.companyB,
  ]);
  const pending = await seedEntry(f, { code: "AMS01-ZWAN-MEET", areaId: f.certArea }, [f.companyB]);
  const granted = await approvedItem(w, pB, employmentId, physical, "Storing Zwanenburgh", true);
  const keyed = await approvedItem(w, pB, employmentId, key, "Kabelverdelers Zwanenburgh", true);
  if (granted.authorizationId === null || keyed.authorizationId === null) {
    throw new Error("no authorization");
  }
  const keyIssue = f.commands.store.db
    .prepare("SELECT id FROM iam_key_issue WHERE authorization_id = ?")
    .get(keyed.authorizationId) as { id: number };
  // The key is handed over, then revoked: it waits to be returned (a list partners read).
  await w.keys.ship(actors.admin, keyIssue.id, { addressConfirmed: true });
  await w.keys.issue(actors.admin, keyIssue.id);
  await approvedItem(w, pB, employmentId, key, "Project Zwanenburgh klaar", true, "revoke");
  const open = await approvedItem(w, pB, employmentId, pending, "Meetkamer Zwanenburgh", false);

  const opened = await w.reviews.openReviews(actors.admin);
  const review = opened.find((r) => r.companyId === f.companyB);
  if (review === undefined) throw new Error("no review of B");
  const details = await w.reviews.get(actors.admin, review.id);
  const line = details.lines[0];
  if (line === undefined) throw new Error("no review line");

  const contact = f.commands.store.db
    .prepare("SELECT id FROM iam_contact_person WHERE company_id = ? ORDER BY id LIMIT 1")
    .get(f.companyB) as { id: number };
  const token = await call("POST", "/api-tokens", { as: pB, body: { name: "zwan-token" } });
  if (token.status !== 201) throw new Error(`api token: ${token.status}`);
  const delegation = await w.requests.delegate(actors.manager, {
    deputyAccountId: actors.deputy.accountId,
    from: new Date(now).toISOString(),
    until: new Date(now + 7 * 86_400_000).toISOString(),
  });
  const doorId = "zwan-d1";
  await w.doors.register(actors.admin, {
    siteId: f.site,
    doorId,
    areaId: f.area,
    name: "Hoofdingang",
  });

  return {
    personId: first.employment.person.id,
    employmentId,
    requestedPersonId: second.employment.person.id,
    requestedEmploymentId: second.employment.id,
    cardId,
    requestedCardId,
    certificateId: certificate.id,
    entryId: pending,
    itemId: open.itemId,
    authorizationId: granted.authorizationId,
    keyId: keyIssue.id,
    reviewId: review.id,
    lineId: line.id,
    contactPersonId: contact.id,
    apiTokenId: token.body.id as string,
    delegationId: delegation.id,
    doorId,
    markers: [
      B_SURNAME,
      B_SECOND_SURNAME,
      B_EMAIL,
      B_SECOND_EMAIL,
      B_ID_NUMBER,
      String(B_CARD_NUMBER),
      "Vlierbesstraat",
      "Vlietstra",
      "Glasweb",
      "87654321",
      first.employment.employmentNumber,
      second.employment.employmentNumber,
      "acc-partner-b",
      "zwan-token",
      token.body.id as string,
    ],
  };
}

// --- what partner A's answers and changes may not contain ---

/** B's ids by the name of the JSON field that would carry them. */
function idFields(b: CompanyBRecords, companyB: number): Record<string, readonly number[]> {
  return {
    companyId: [companyB],
    personId: [b.personId, b.requestedPersonId],
    employmentId: [b.employmentId, b.requestedEmploymentId],
    cardId: [b.cardId, b.requestedCardId],
    certificateId: [b.certificateId],
    itemId: [b.itemId],
    authorizationId: [b.authorizationId],
    keyId: [b.keyId],
    reviewId: [b.reviewId],
    lineId: [b.lineId],
    contactPersonId: [b.contactPersonId],
  };
}

/**
 * B's markers in an answer: personal data anywhere (case-insensitive), and B's ids in the
 * id fields of their kind. The problem's `instance` (the path asked for) is left out.
 */
export function markersIn(
  body: unknown,
  b: CompanyBRecords,
  companyB: number,
  echoed: readonly string[] = [],
): string[] {
  if (body === null || body === undefined) return [];
  const found: string[] = [];
  const fields = idFields(b, companyB);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const kept: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === "instance") continue;
      if (typeof inner === "number" && fields[key]?.includes(inner)) found.push(`${key}=${inner}`);
      kept[key] = walk(inner);
    }
    return kept;
  };
  const text = JSON.stringify(walk(body)).toLowerCase();
  for (const marker of b.markers) {
    if (!echoed.includes(marker) && text.includes(marker.toLowerCase())) found.push(marker);
  }
  return found;
}

/** The harness's own table: every Idempotency-Key's answer is kept there, by design. */
const NOT_COMPARED = new Set(["http_idempotency"]);

export type Snapshot = Map<string, string[]>;

/** Every row of every table of the SQLite file (state, IAM, audit, outboxes, timers). */
export function snapshot(f: WorkflowFixture): Snapshot {
  const db = f.commands.store.db;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  const result: Snapshot = new Map();
  for (const { name } of tables) {
    if (NOT_COMPARED.has(name)) continue;
    const rows = db.prepare(`SELECT * FROM "${name}"`).all();
    result.set(name, rows.map((r) => JSON.stringify(r)).sort());
  }
  return result;
}

/**
 * The differences between two snapshots, as "table: +row" / "table: -row". Partner A may
 * add rows about its own account only (an API token of its own and the audit of it).
 */
export function diffSnapshots(before: Snapshot, after: Snapshot, own: Actor): string[] {
  const changes: string[] = [];
  for (const [table, rows] of after) {
    const old = new Set(before.get(table) ?? []);
    const now = new Set(rows);
    for (const row of rows) {
      if (old.has(row)) continue;
      const ownToken = table === "iam_api_token" && JSON.parse(row).account_id === own.accountId;
      const ownAudit =
        table === "iam_audit" &&
        JSON.parse(row).actor_account_id === own.accountId &&
        ["account", "api-token"].includes(JSON.parse(row).entity);
      if (!ownToken && !ownAudit) changes.push(`${table}: +${row}`);
    }
    for (const row of old) if (!now.has(row)) changes.push(`${table}: -${row}`);
  }
  for (const table of before.keys()) if (!after.has(table)) changes.push(`${table}: dropped`);
  return changes;
}
