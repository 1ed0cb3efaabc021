import type { CentralApi } from "./central-api.js";
import { central } from "./central-process.js";

/** A real sign-in's token and the account behind it. */
export interface Signed {
  readonly id: string;
  readonly token: string;
}

export interface StoryPeople {
  readonly admin: Signed;
  readonly manager: Signed;
  readonly manager2: Signed;
  readonly partner: Signed;
  readonly companyId: number;
}

const PASSWORD = "Zeven-Bruggen-1";

/**
 * Runs `central admin create` on the store before it serves: the first administrator and
 * its invitation token.
 */
export async function createFirstAdmin(db: string): Promise<string> {
  const result = await central(
    db,
    "admin",
    "create",
    "--username",
    "beheer",
    "--email",
    "beheer@wholesale.example.nl",
    "--mobile",
    "+31610000001",
  );
  const token = /invitation token[^:]*: (\S+)/.exec(result.stdout)?.[1];
  if (result.code !== 0 || token === undefined) throw new Error(`admin create: ${result.stdout}`);
  return token;
}

/** The partner company registered by the administrator, approved by a manager. */
export const PARTNER = {
  customerName: "Netbouw",
  kvkName: "Netbouw Infra B.V.",
  kvkNumber: "30123456",
  address: {
    street: "Industrieweg",
    number: "4",
    postcode: "3812 AB",
    city: "Amersfoort",
    country: "NL",
  },
  contactPersons: [
    {
      initials: "M.",
      surname: "Smit",
      mobile: "+31610000004",
      email: "m.smit@netbouw.nl",
      address: {
        street: "Dorpsstraat",
        number: "1",
        postcode: "3811 AA",
        city: "Amersfoort",
        country: "NL",
      },
      birthDate: "1979-03-14",
      idType: "passport",
      idNumber: "NX1234567",
    },
  ],
};

/**
 * The accounts of the story, each signed in for real (password, then the texted code):
 * the administrator (invitation token from `central admin create`), two managers, and the
 * partner's contact person for a company registered and approved on the way.
 */
export async function signInEveryone(
  api: CentralApi,
  adminInvitation: string,
): Promise<StoryPeople> {
  await api.acceptInvitation("beheer@wholesale.example.nl", PASSWORD, adminInvitation);
  const adminToken = await api.signIn("beheer", PASSWORD, "+31610000001");
  const admin = { id: "", token: adminToken };
  const manager = await api.newAccount(
    adminToken,
    {
      username: "manager",
      role: "manager",
      mobile: "+31610000002",
      email: "manager@wholesale.example.nl",
    },
    PASSWORD,
  );
  const manager2 = await api.newAccount(
    adminToken,
    {
      username: "manager2",
      role: "manager",
      mobile: "+31610000003",
      email: "manager2@wholesale.example.nl",
    },
    PASSWORD,
  );
  const company = await api.ok("POST", "/companies", adminToken, PARTNER);
  const tag =
    (await api.call("GET", `/companies/${company.id}`, { token: manager.token })).headers.get(
      "etag",
    ) ?? "";
  await api.ok(
    "POST",
    `/companies/${company.id}/approval`,
    manager.token,
    { decision: "approve" },
    { "if-match": tag },
  );
  const partner = await api.newAccount(
    adminToken,
    {
      username: "m.smit",
      role: "partner-contact",
      mobile: "+31610000004",
      email: "m.smit@netbouw.nl",
      companyId: company.id,
    },
    PASSWORD,
  );
  return { admin, manager, manager2, partner, companyId: company.id };
}

/** A physical catalogue entry for an area of a site, in the company's profile. */
export async function offerArea(
  api: CentralApi,
  people: StoryPeople,
  entry: { code: string; name: string; siteId: string; areaId: number },
): Promise<number> {
  const created = await api.ok("POST", "/catalogue", people.admin.token, {
    code: entry.code,
    service: "physical",
    name: entry.name,
    siteId: entry.siteId,
    areaId: entry.areaId,
  });
  await api.ok("PUT", `/companies/${people.companyId}/profile/${created.id}`, people.admin.token);
  return created.id;
}

/** The engineer as the partner registers them: look-up first, then the employment. */
export async function addEngineer(
  api: CentralApi,
  people: StoryPeople,
  person: {
    initials: string;
    surnamePrefix?: string;
    surname: string;
    birthDate: string;
    mobile: string;
  },
): Promise<{ employmentId: number; personId: number; cardRequestId: number }> {
  const facts = {
    initials: person.initials,
    ...(person.surnamePrefix ? { surnamePrefix: person.surnamePrefix } : {}),
    surname: person.surname,
    birthDate: person.birthDate,
  };
  const found = await api.ok("POST", "/persons/look-up", people.partner.token, facts);
  if (found.items?.length > 0 || found.length > 0) throw new Error("the engineer is new here");
  const created = await api.ok("POST", "/employments", people.partner.token, {
    person: facts,
    companyId: people.companyId,
    managerName: "P. de Boer",
    email: `${person.surname.toLowerCase()}@netbouw.nl`,
    mobile: person.mobile,
    address: {
      street: "Kerkstraat",
      number: "7",
      postcode: "1017 GC",
      city: "Amsterdam",
      country: "NL",
    },
    postalChoice: "business",
    idType: "id-card",
    idNumber: "IR7654321",
    startDate: new Date().toISOString().slice(0, 10),
  });
  return {
    employmentId: created.employment.id,
    personId: created.employment.person.id,
    cardRequestId: created.cardRequestId,
  };
}

async function etagOf(api: CentralApi, path: string, token: string): Promise<string> {
  return (await api.call("GET", path, { token })).headers.get("etag") ?? "";
}

/**
 * A requested card through its life: approved by a manager, produced (its number assigned),
 * shipped (the activation code texted to the engineer), activated by the partner with it.
 */
export async function cardToActive(
  api: CentralApi,
  people: StoryPeople,
  cardId: number,
  mobile: string,
): Promise<{ number: number }> {
  await api.ok(
    "POST",
    `/cards/${cardId}/approval`,
    people.manager.token,
    { decision: "approve" },
    {
      "if-match": await etagOf(api, `/cards/${cardId}`, people.manager.token),
    },
  );
  const produced = await api.ok("POST", `/cards/${cardId}/production`, people.admin.token, {});
  const mark = api.sentCount();
  await api.ok("POST", `/cards/${cardId}/shipment`, people.admin.token, {});
  const { code } = await api.notification("card-activation-code", mobile, mark);
  await api.ok("POST", `/cards/${cardId}/activation`, people.partner.token, { code });
  return { number: Number(produced.cardNumber) };
}

/** A basket of one item for the engineer, submitted by the partner and approved by a manager. */
export async function requestAndApprove(
  api: CentralApi,
  people: StoryPeople,
  employmentId: number,
  entryId: number,
  action: "grant" | "revoke" = "grant",
): Promise<{ itemId: number; approve: () => Promise<{ status: string }> }> {
  const added = await api.ok("POST", "/basket/items", people.partner.token, {
    employmentIds: [employmentId],
    entryId,
    action,
  });
  const itemId = Number((added.items ?? added)[0].id);
  await api.ok("PUT", `/request-items/${itemId}/motivation`, people.partner.token, {
    motivation: "Storingsdienst in de centrale",
  });
  await api.ok("POST", "/basket/submission", people.partner.token, {});
  const tag = await etagOf(api, `/request-items/${itemId}`, people.manager.token);
  return {
    itemId,
    approve: () =>
      api.ok(
        "POST",
        `/request-items/${itemId}/decision`,
        people.manager.token,
        { decision: "approve", comment: "akkoord" },
        { "if-match": tag },
      ),
  };
}

/**
 * A replacement asked for by the partner, the shipping address confirmed first (the
 * preview's version); lost, stolen or defective take the old card out at once.
 */
export async function replaceCard(
  api: CentralApi,
  people: StoryPeople,
  employmentId: number,
  cardId: number,
  reason: "lost" | "stolen" | "defective" | "damaged" | "name-change" | "other",
): Promise<number> {
  const preview = await api.ok(
    "GET",
    `/employments/${employmentId}/card-request-preview`,
    people.partner.token,
  );
  const replacement = await api.ok("POST", `/cards/${cardId}/replacement`, people.partner.token, {
    reason,
    confirmedAddressVersion: preview.addressVersion,
  });
  return replacement.id;
}
