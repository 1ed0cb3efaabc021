import { generateSigningKeyPair } from "@acs/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServer } from "../../src/http/server.js";
import type { Actor } from "../../src/iam/actor.js";
import { contact, registration } from "../iam/support.js";
import {
  type ApiCaller,
  actors,
  fullWorkflowServer,
  type WorkflowFixture,
  workflowFixture,
} from "../iam/workflow-support.js";
import {
  ANONYMOUS,
  ECHOED,
  NEW_PASSWORD,
  type OpenApi,
  type Operation,
  OWN_OR_PUBLIC,
  takesB,
} from "./tenant-isolation-rules.js";
import {
  B_CARD_NUMBER,
  B_EMAIL,
  B_SURNAME,
  type CompanyBRecords,
  diffSnapshots,
  markersIn,
  seedCompanyA,
  seedCompanyB,
  snapshot,
} from "./tenant-isolation-support.js";

describe("tenant isolation: partner A calls every route with company B's ids", () => {
  let f: WorkflowFixture;
  let app: ApiServer;
  let call: ApiCaller;
  let base: string;
  let b: CompanyBRecords;
  let doc: OpenApi;
  let addressVersion: string;
  let aEmployment: number;
  let aPerson: number;

  beforeAll(async () => {
    f = await workflowFixture();
    const server = await fullWorkflowServer(f);
    ({ app, call, base } = server);
    aEmployment = await seedCompanyA(f, server.workflow);
    aPerson = (await server.workflow.persons.getEmployment(f.partnerA, aEmployment)).person.id;
    b = await seedCompanyB(f, server.workflow, call);
    addressVersion = (await server.workflow.cards.previewRequest(f.partnerB, b.employmentId))
      .addressVersion;
    doc = (await call("GET", "/openapi.json")).body as OpenApi;
  });
  afterAll(async () => {
    await app?.close();
    f?.close();
  });

  /** Company B's id of the kind a path parameter names; an unknown name fails the test. */
  function idFor(name: string): string {
    const ids: Record<string, string | number> = {
      companyId: f.companyB,
      personId: b.personId,
      employmentId: b.employmentId,
      cardId: b.cardId,
      certificateId: b.certificateId,
      entryId: b.entryId,
      itemId: b.itemId,
      keyId: b.keyId,
      reviewId: b.reviewId,
      lineId: b.lineId,
      contactPersonId: b.contactPersonId,
      id: b.apiTokenId,
      delegationId: b.delegationId,
      siteId: f.site,
      doorId: b.doorId,
    };
    const id = ids[name];
    if (id === undefined) throw new Error(`no id of company B for path parameter "${name}"`);
    return String(id);
  }

  /** Query values asking for B's data where a route takes a filter. */
  function queryValue(name: string, operationId: string): string | undefined {
    const values: Record<string, string | number | undefined> = {
      limit: undefined,
      cursor: undefined,
      companyId: f.companyB,
      personId: b.personId,
      siteId: f.site,
      // GET /edge-keys: the site's edge keys (sites are site-wide, not company-bound).
      site: f.site,
      q: "%",
      // GET /keys: the status B's key is in (waiting to come back); other status filters open.
      status: operationId === "listKeys" ? "to-return" : undefined,
      from: "2026-01-01",
      until: "2026-12-31",
      entity: "employment",
      entityId: b.employmentId,
      actor: f.partnerB.accountId,
      format: undefined,
    };
    if (!(name in values)) throw new Error(`no value of company B for query parameter "${name}"`);
    const value = values[name];
    return value === undefined ? undefined : String(value);
  }

  /** A valid body per operation, naming B's records wherever the body takes an id. */
  /** An edge key a partner tries to register (refused: only administrators provision edges). */
  const EDGE_PUBLIC_KEY = generateSigningKeyPair("edge").publicKeyPem;

  function bodyFor(operationId: string): unknown {
    const day = (d: string) => `${d}T09:00:00+01:00`;
    const bodies: Record<string, unknown> = {
      login: { username: "nobody-at-all", password: "wrong-password" },
      verifyLoginCode: { challengeId: "no-such-challenge", code: "123456" },
      requestPasswordReset: { email: "nobody@example.invalid" },
      confirmPasswordReset: { token: "no-such-token", password: NEW_PASSWORD },
      changePassword: { currentPassword: "wrong-password", newPassword: NEW_PASSWORD },
      createAccount: {
        username: "zwan-new",
        role: "partner-contact",
        mobile: "+31612345678",
        email: "new@glasweb-b.nl",
        companyId: f.companyB,
      },
      createApiToken: { name: "a-token" },
      registerCompany: registration({ kvkNumber: "11223344" }),
      decideCompany: { decision: "approve", comment: "x" },
      addContactPerson: contact(),
      decideContactPerson: { decision: "approve", comment: "x" },
      lookUpPersons: { initials: "Q.X.", surname: B_SURNAME, birthDate: "1979-11-23" },
      createEmployment: {
        personId: b.personId,
        companyId: f.companyB,
        managerName: "P. de Boer",
        email: "x@netbouw.nl",
        mobile: "+31612345678",
        address: {
          street: "Kerkstraat",
          number: "1",
          postcode: "1017 GC",
          city: "Amsterdam",
          country: "NL",
        },
        postalChoice: "business",
        idType: "passport",
        idNumber: "NX9876543",
        startDate: "2026-03-02",
      },
      updateEmployment: { managerName: "X. Overgenomen" },
      endEmployment: { date: "2026-03-03", reason: "x" },
      requestCard: { kind: "access", confirmedAddressVersion: addressVersion },
      decideCard: { decision: "approve", comment: "x" },
      produceCard: {},
      shipCard: {},
      activateCard: { code: "12345678" },
      reissueCardActivationCode: {},
      deactivateCard: { reason: "lost" },
      registerCardReturn: {},
      requestCardReplacement: { reason: "lost", confirmedAddressVersion: addressVersion },
      createCatalogueEntry: {
        code: "A-NEW",
        service: "physical",
        name: "x",
        siteId: f.site,
        areaId: f.area,
      },
      addBasketItems: { employmentIds: [b.employmentId], entryId: b.entryId, action: "grant" },
      setRequestMotivation: { motivation: "x" },
      decideRequestItem: { decision: "approve", comment: "x" },
      createDelegation: {
        deputyAccountId: f.partnerB.accountId,
        from: day("2026-03-03"),
        until: day("2026-03-10"),
      },
      setEscalationDeputy: { accountId: f.partnerB.accountId },
      shipKey: { addressConfirmed: true },
      registerCertificate: {
        personId: b.personId,
        type: "VCA",
        validFrom: "2026-01-01",
        validUntil: "2027-01-01",
      },
      openReviews: {},
      decideReviewLine: { decision: "confirmed", comment: "x" },
      putDoor: { areaId: f.area, name: "x" },
      explainAccess: { siteId: f.site, doorId: b.doorId, personId: b.personId },
      remoteOpenDoor: { reason: "x" },
      registerEdgeKey: { site: f.site, publicKeyPem: EDGE_PUBLIC_KEY },
      retireEdgeKey: { reason: "x" },
    };
    if (!(operationId in bodies)) throw new Error(`no body for operation "${operationId}"`);
    return bodies[operationId];
  }

  it("answers 404/403 (or A's own/public data without B's markers) and changes nothing", async () => {
    // Pass 1 (before the snapshot: reading ETags as B's partner may be audited): the calls.
    const planned: {
      method: string;
      route: string;
      op: Operation;
      path: string;
      headers: Record<string, string>;
      body: unknown;
    }[] = [];
    let keys = 0;
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        let path = route;
        for (const p of params.filter((p) => p.in === "path")) {
          path = path.replace(`{${p.name}}`, encodeURIComponent(idFor(p.name)));
        }
        const query = new URLSearchParams();
        for (const p of params.filter((p) => p.in === "query")) {
          const value = queryValue(p.name, op.operationId);
          if (value !== undefined) query.set(p.name, value);
        }
        if (query.size > 0) path = `${path}?${query}`;
        const headers: Record<string, string> = {};
        if (params.some((p) => p.in === "header" && p.name === "idempotency-key")) {
          headers["idempotency-key"] = `isolation-${++keys}`;
        }
        if (params.some((p) => p.in === "header" && p.name === "if-match")) {
          headers["if-match"] = await currentEtag(path);
        }
        const body = op.requestBody === undefined ? undefined : bodyFor(op.operationId);
        planned.push({ method: method.toUpperCase(), route, op, path, headers, body });
      }
    }
    // 79 operations when written; a new route is covered (or fails on an unknown id/body).
    expect(planned.length).toBeGreaterThanOrEqual(79);

    // Control: B's ids are real, so a 404 to partner A is isolation, not a wrong id.
    const unreadable: string[] = [];
    for (const c of planned.filter((c) => c.method === "GET" && takesB(c.route))) {
      let r = await call("GET", c.path, { as: f.partnerB });
      if (r.status === 403) r = await call("GET", c.path, { as: actors.admin });
      if (r.status !== 200) unreadable.push(`${c.path} → ${r.status}`);
    }
    expect(unreadable).toEqual([]);
    // Control: the marker check sees B's data where B may see it.
    const seen = new Set<string>();
    for (const path of [
      `/employments/${b.employmentId}`,
      `/cards/${b.cardId}`,
      "/keys/to-return",
    ]) {
      const r = await call("GET", path, { as: f.partnerB });
      for (const m of markersIn(r.body, b, f.companyB)) seen.add(m);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        B_SURNAME,
        B_EMAIL,
        String(B_CARD_NUMBER),
        `companyId=${f.companyB}`,
      ]),
    );

    const before = snapshot(f);
    for (const table of [
      ...["person", "employment", "card", "access_authorization", "certificate", "delta_outbox"],
      ...["iam_audit", "iam_key_issue", "iam_review_line", "iam_notification_outbox"],
    ]) {
      expect(before.get(table)?.length ?? 0, table).toBeGreaterThan(0);
    }
    const failures: string[] = [];
    for (const c of planned) {
      const r = await call(c.method, c.path, { as: f.partnerA, headers: c.headers, body: c.body });
      const name = `${c.method} ${c.route} (${c.op.operationId}) → ${r.status}`;
      // A problem's detail may repeat the id asked for (the API token's id is a marker too).
      const echoed = [
        ...(ECHOED[c.op.operationId] ?? []),
        ...b.markers.filter((m) => c.path.includes(m)),
      ];
      const allowed = markersIn(r.body, b, f.companyB, echoed);
      if (allowed.length > 0) failures.push(`${name}: leaks ${allowed.join(", ")}`);
      if (c.op.operationId in ANONYMOUS) {
        if (r.status !== ANONYMOUS[c.op.operationId]) failures.push(`${name}: anonymous route`);
      } else if (r.status === 401) {
        failures.push(`${name}: 401 while signed in`);
      } else if (r.status === 400 || r.status === 422) {
        failures.push(
          `${name}: validation before the id check (fix the body table) ${JSON.stringify(r.body)}`,
        );
      } else if (r.status >= 200 && r.status < 300) {
        if (takesB(c.route) || !OWN_OR_PUBLIC.has(c.op.operationId))
          failures.push(`${name}: 2xx to partner A, not a route of its own or public data`);
      } else if (r.status !== 404 && r.status !== 403) {
        failures.push(`${name}: unexpected ${JSON.stringify(r.body)}`);
      }
    }
    const changes = diffSnapshots(before, snapshot(f), f.partnerA);
    expect({ failures, changes }).toEqual({ failures: [], changes: [] });
  });

  /** The ETag of the resource a conditional route changes, read as an administrator. */
  async function currentEtag(path: string): Promise<string> {
    const segments = path.split("?")[0]?.split("/") ?? [];
    for (let n = segments.length; n > 1; n--) {
      const resource = segments.slice(0, n).join("/");
      for (const as of [actors.admin, actors.manager, f.partnerB] as Actor[]) {
        const r = await call("GET", resource, { as });
        const tag = r.headers.get("etag");
        if (r.status === 200 && tag !== null) return tag;
      }
    }
    throw new Error(`no ETag for ${path}`);
  }

  it("gives partner B the same refusals with A's ids", async () => {
    const routes: [string, string, unknown?][] = [
      ["GET", `/employments/${aEmployment}`],
      ["GET", `/persons/${aPerson}`],
      ["GET", `/persons/${aPerson}/cards`],
      ["GET", `/companies/${f.companyA}/employments`],
      ["GET", `/companies/${f.companyA}/profile`],
      ["PATCH", `/employments/${aEmployment}`, { managerName: "X. Overgenomen" }],
      ["POST", `/employments/${aEmployment}/end`, { date: "2026-03-03" }],
      ["GET", `/employments/${aEmployment}/card-request-preview`],
    ];
    for (const [method, path, body] of routes) {
      const r = await call(method, path, { as: f.partnerB, body, headers: { "if-match": "*" } });
      expect([403, 404], `${method} ${path}`).toContain(r.status);
      expect(JSON.stringify(r.body)).not.toContain("Aardewerk");
    }
  });

  it("answers a foreign id byte for byte as a missing one (apart from the path)", async () => {
    const routes: [string, string][] = [
      ["/employments/", String(b.employmentId)],
      ["/persons/", String(b.personId)],
      ["/cards/", String(b.cardId)],
      ["/certificates/", String(b.certificateId)],
      ["/request-items/", String(b.itemId)],
      ["/keys/", String(b.keyId)],
      ["/reviews/", String(b.reviewId)],
      ["/companies/", String(f.companyB)],
      ["/contact-persons/", String(b.contactPersonId)],
    ];
    for (const [prefix, foreign] of routes) {
      const get = async (id: string) => {
        const r = await fetch(`${base}${prefix}${id}`, {
          headers: { authorization: `Bearer ${f.partnerA.accountId}` },
        });
        return {
          status: r.status,
          text: (await r.text())
            .replaceAll(`${prefix}${id}`, "{path}")
            .replace(new RegExp(`\\b${id}\\b`, "g"), "{id}"),
        };
      };
      const [a, missing] = [await get(foreign), await get("987654")];
      expect(a.status, prefix).toBe(missing.status);
      expect(a.text, prefix).toBe(missing.text);
    }
  });
});
