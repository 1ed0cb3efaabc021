import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { captureTemplate, seededRng } from "@acs/firmware-sim";
import type { CentralFiles } from "../support/sync-site.js";

const DAY = 86_400_000;

/** The four exchanges where a fingerprint follows the card, and a street cabinet. */
export const SITES = [
  { id: "ams-bsl", name: "Amsterdam Barbara Strozzilaan", area: 10, fingerprint: true },
  { id: "rtm-wh", name: "Rotterdam Waalhaven", area: 20, fingerprint: true },
  { id: "arn-ps", name: "Arnhem Paterstraat", area: 30, fingerprint: true },
  { id: "zwl-pss", name: "Zwolle Pieter Steynstraat", area: 40, fingerprint: true },
  { id: "kast-utr-0417", name: "Street cabinet Utrecht 0417", area: 50, fingerprint: false },
] as const;
export type DemoSite = (typeof SITES)[number];

export const PEOPLE = {
  deVries: {
    person: 1,
    employment: 1,
    card: 1001,
    newCard: 1002,
    finger: "j-de-vries-right-index",
  },
  bakker: { person: 2, employment: 2, card: 2001 },
  jansen: { person: 3, employment: 3, card: 3001 },
} as const;

/** Central's data: two partners' engineers and where each may go. */
export function demoDataset() {
  const start = Date.now() - 400 * DAY;
  const card = (id: number, personId: number, status = "active") => ({
    id,
    personId,
    format: "H10301",
    facility: 18,
    number: id,
    status,
  });
  return {
    sites: SITES.map((s) => ({ id: s.id, name: s.name, fingerprintRequired: s.fingerprint })),
    companies: [
      { id: 1, name: "Glasvezel Noord B.V." },
      { id: 2, name: "Kabel & Co" },
    ],
    persons: [
      { id: 1, displayName: "J. de Vries" },
      { id: 2, displayName: "S. Bakker" },
      { id: 3, displayName: "M. Jansen" },
    ],
    employments: [
      { id: 1, personId: 1, companyId: 1, start },
      { id: 2, personId: 2, companyId: 2, start },
      { id: 3, personId: 3, companyId: 2, start },
    ],
    // Card 1002 is J. de Vries's replacement, made and shipped, waiting for activation.
    cards: [card(1001, 1), card(1002, 1, "not-activated"), card(2001, 2), card(3001, 3)],
    areas: SITES.map((s) => ({ id: s.area, siteId: s.id, name: "Equipment room" })),
    authorizations: [
      { id: 1, employmentId: 1, areaId: 10 },
      { id: 2, employmentId: 1, areaId: 20 },
      { id: 3, employmentId: 2, areaId: 20 },
      { id: 4, employmentId: 3, areaId: 50 },
      { id: 5, employmentId: 3, areaId: 30 },
    ],
  };
}

const pdKey = (site: number, address: number) =>
  Buffer.from(
    Array.from({ length: 16 }, (_, i) => (site * 31 + address * 17 + i * 29) & 0xff),
  ).toString("hex");

/**
 * An exchange's door on OSDP (reader 1, fingerprint terminal 7, I/O module 8), or the street
 * cabinet's on a Wiegand bridge board; the sync section points at central.
 */
export function writeDemoSite(options: {
  dir: string;
  site: DemoSite;
  index: number;
  device: string;
  mqttUrl: string;
  central: CentralFiles;
}) {
  const { dir, site, index, device } = options;
  const files = {
    config: join(dir, `${site.id}.json`),
    bus: join(dir, `${site.id}-bus.json`),
    template: join(dir, `${site.id}-finger.bin`),
  };
  const osdp = site.fingerprint;
  const pds = [
    { address: 1, kind: "reader", keyHex: pdKey(index, 1) },
    { address: 7, kind: "fingerprint", keyHex: pdKey(index, 7) },
    { address: 8, kind: "io", keyHex: pdKey(index, 8) },
  ];
  if (osdp) writeFileSync(files.bus, JSON.stringify({ baudRate: 115200, pds }));
  const bus = osdp
    ? {
        id: "osdp-1",
        kind: "osdp",
        device,
        baudRate: 115200,
        pds: pds.map((pd) => ({ address: pd.address, keyHex: pd.keyHex })),
        readers: [{ id: "main-in", address: 1, formats: ["H10301"] }],
      }
    : {
        id: "bridge-1",
        kind: "bridge",
        device,
        readers: [{ id: "main-in", port: 0, formats: ["H10301"] }],
      };
  const lock = osdp ? { bus: "osdp-1", address: 8, number: 0 } : { bus: "bridge-1", number: 0 };
  writeFileSync(
    files.config,
    JSON.stringify({
      site: site.id,
      store: { path: join(dir, `${site.id}.db`) },
      log: { level: "info" },
      ...(osdp ? { fingerprint: { keyHex: "cd".repeat(32), armMs: 8000 } } : {}),
      buses: [bus],
      doors: [
        {
          id: "main",
          name: osdp ? "Equipment room" : "Cabinet door",
          areaId: site.area,
          entryReader: "main-in",
          lock,
          strikeMs: 800,
          ...(osdp ? { terminal: { bus: "osdp-1", address: 7 } } : {}),
        },
      ],
      sync: {
        mqttUrl: options.mqttUrl,
        centralKeys: [{ keyId: options.central.keyId, publicKeyPem: options.central.publicKeyPem }],
        heartbeatMs: 5000,
      },
    }),
  );
  writeFileSync(files.template, captureTemplate(PEOPLE.deVries.finger, seededRng(index + 1)));
  return { ...files, osdp };
}
