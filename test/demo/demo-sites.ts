import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { captureTemplate, seededRng } from "@acs/firmware-sim";
import type { CentralFiles } from "../support/sync-site.js";
import { edgeKeyOf } from "../support/sync-site.js";

/** The four exchanges where a fingerprint follows the card, and a street cabinet. */
export const SITES = [
  { id: "ams-bsl", name: "Amsterdam Barbara Strozzilaan", area: 10, fingerprint: true },
  { id: "rtm-wh", name: "Rotterdam Waalhaven", area: 20, fingerprint: true },
  { id: "arn-ps", name: "Arnhem Paterstraat", area: 30, fingerprint: true },
  { id: "zwl-pss", name: "Zwolle Pieter Steynstraat", area: 40, fingerprint: true },
  { id: "kast-utr-0417", name: "Street cabinet Utrecht 0417", area: 50, fingerprint: false },
] as const;
export type DemoSite = (typeof SITES)[number];

/** The finger J. de Vries presents at the fingerprint terminals. */
export const FINGER = "j-de-vries-right-index";

/**
 * Central's data in force before the story: the sites and their equipment rooms. Everyone
 * who gets in comes through the partner portal's API in the story.
 */
export function demoDataset() {
  return {
    sites: SITES.map((s) => ({ id: s.id, name: s.name, fingerprintRequired: s.fingerprint })),
    areas: SITES.map((s) => ({ id: s.area, siteId: s.id, name: "Equipment room" })),
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
        readers: [{ id: "main-in", address: 1, formats: ["C1000_35", "H10301"] }],
      }
    : {
        id: "bridge-1",
        kind: "bridge",
        device,
        readers: [{ id: "main-in", port: 0, formats: ["C1000_35", "H10301"] }],
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
        edgeKey: { privateKeyFile: edgeKeyOf(options.central, site.id) },
        heartbeatMs: 5000,
      },
    }),
  );
  writeFileSync(files.template, captureTemplate(FINGER, seededRng(index + 1)));
  return { ...files, osdp };
}
