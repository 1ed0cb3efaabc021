import { z } from "zod";
import { parse } from "../validation-common.js";
import { KEY_TYPES } from "./model.js";

const certificateType = z
  .string()
  .trim()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, "a certificate type in capitals, e.g. KVD");

const entryInput = z
  .strictObject({
    code: z
      .string()
      .trim()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,59}$/, "2..60 capitals, digits and dashes, e.g. AMS01-APP"),
    service: z.enum(["physical", "application", "pop", "key"]),
    name: z.string().trim().min(1, "required").max(150, "at most 150 characters"),
    siteId: z.string().trim().min(1).max(40).nullish(),
    areaId: z.number().int().positive().nullish(),
    keyType: z.string().trim().nullish(),
    requiredCertificates: z.array(certificateType).max(16).default([]),
    excludesColocation: z.boolean().default(false),
  })
  .superRefine((e, ctx) => {
    const need = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (e.service === "physical") {
      if (e.siteId == null) need("siteId", "a physical entry names its site");
      if (e.areaId == null) need("areaId", "a physical entry names an area of its site");
    } else {
      if (e.siteId != null) need("siteId", "only physical entries name a site");
      if (e.areaId != null) need("areaId", "only physical entries name an area");
    }
    if (e.service === "key") {
      if (e.keyType == null || !KEY_TYPES.includes(e.keyType)) {
        need("keyType", `one of ${KEY_TYPES.join(", ")}`);
      }
    } else if (e.keyType != null) {
      need("keyType", "only key entries name a key type");
    }
  })
  .transform((e) => ({
    code: e.code,
    service: e.service,
    name: e.name,
    siteId: e.siteId ?? null,
    areaId: e.areaId ?? null,
    keyType: e.keyType ?? null,
    requiredCertificates: [...new Set(e.requiredCertificates)].sort(),
    excludesColocation: e.excludesColocation,
  }));

export type CatalogueEntryData = z.output<typeof entryInput>;

export function validateCatalogueEntry(input: unknown): CatalogueEntryData {
  return parse(entryInput, input);
}
