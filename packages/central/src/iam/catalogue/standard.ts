import { KVD_REGION_KEYS } from "./model.js";
import type { CatalogueEntryData } from "./validation.js";

/** Certificates every KVD and street-cabinet key needs (source chapter 7, note 3). */
const CABINET_CERTIFICATES = ["KVD", "TTG"];

const key = (
  code: string,
  name: string,
  keyType: string,
  cabinet: boolean,
): CatalogueEntryData => ({
  code,
  service: "key",
  name,
  siteId: null,
  areaId: null,
  keyType,
  requiredCertificates: cabinet ? CABINET_CERTIFICATES : [],
  // Cabinet and street-cabinet keys are "niet van toepassing voor collocatie-afname".
  excludesColocation: cabinet,
});

const app = (code: string, service: "application" | "pop", name: string): CatalogueEntryData => ({
  code,
  service,
  name,
  siteId: null,
  areaId: null,
  keyType: null,
  requiredCertificates: [],
  excludesColocation: false,
});

/**
 * The key and application entries the work instruction names (chapters 7, 11, 12); the
 * physical entries depend on the sites and are created one by one.
 */
export const STANDARD_CATALOGUE: readonly CatalogueEntryData[] = [
  key("KEY-Z", "Sleutels Wholesale - Telefooncentrales: heksleutel Z", "Z", false),
  key(
    "KEY-KVD-ALL",
    "Sleutels Wholesale - Kabelverdeelkasten: KVD's landelijk (13)",
    "KVD-ALL",
    true,
  ),
  ...KVD_REGION_KEYS.map((k) =>
    key(`KEY-${k}`, `Sleutels Wholesale - Kabelverdeelkasten: ${k} (regio)`, k, true),
  ),
  key("KEY-Z100", "Sleutels Wholesale - Streetcabinets: Z100", "Z100", true),
  key("KEY-HS1", "Sleutels Wholesale - PoP locaties: heksleutel HS1", "HS1", false),
  app(
    "APP-TOEGANGSAPP-KVD",
    "application",
    "Toegangsapp - Street cabinets en kabelverdelers (KVD)",
  ),
  app("APP-INFRA-APP", "application", "Infra-App"),
  app("POP-TOEGANGSAPP", "pop", "PoP toegang - Toegang tot PoP locaties icm toegangsapp (TA)"),
];
