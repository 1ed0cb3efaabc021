import type { FastifyReply } from "fastify";
import type { z } from "zod";
import type { Address, Company, CompanyDetails, ContactPerson } from "../iam/companies/model.js";
import type {
  AddressSchema,
  CompanyDetailsView,
  CompanyView,
  ContactPersonView,
} from "./company-schemas.js";
import { etag, representationVersion } from "./conditional.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const addressView = (a: Address): z.output<typeof AddressSchema> => ({
  street: a.street,
  number: a.number,
  addition: a.addition,
  line2: a.line2,
  postcode: a.postcode,
  city: a.city,
  country: a.country,
});

function decisionView(d: Company | ContactPerson) {
  return {
    status: d.status,
    requestedBy: d.requestedBy,
    requestedAt: new Date(d.requestedAt).toISOString(),
    decidedBy: d.decidedBy,
    decidedAt: iso(d.decidedAt),
    decisionComment: d.decisionComment,
  };
}

export function companyView(c: Company): CompanyView {
  return {
    id: c.id,
    customerName: c.customerName,
    kvkName: c.kvkName,
    kvkNumber: c.kvkNumber,
    address: addressView(c.address),
    colocation: c.colocation,
    ...decisionView(c),
  };
}

export function contactPersonView(p: ContactPerson): ContactPersonView {
  return {
    id: p.id,
    companyId: p.companyId,
    initials: p.initials,
    surnamePrefix: p.surnamePrefix,
    surname: p.surname,
    mobile: p.mobile,
    email: p.email,
    address: addressView(p.address),
    birthDate: p.birthDate,
    idType: p.idType,
    idNumber: p.idNumber,
    ...decisionView(p),
  };
}

export function companyDetailsView(c: CompanyDetails): CompanyDetailsView {
  return { ...companyView(c), contactPersons: c.contactPersons.map(contactPersonView) };
}

/** Location and ETag of a 201 (first answer or replay alike), from its serialized body. */
export function createdHeaders(pathOf: (id: number) => string) {
  return async (_request: unknown, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode === 201 && typeof payload === "string") {
      const body = JSON.parse(payload) as { id?: unknown };
      if (typeof body.id === "number") void reply.header("location", pathOf(body.id));
      void reply.header("etag", etag(representationVersion(body)));
    }
    return payload;
  };
}
