import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { captureTemplate, seededRng } from "@acs/firmware-sim";
import { EMPTY_STATE_PARTS, h10301Card } from "./state-records.js";

/** Each PD's own secure channel key: distinct per address, as after KEYSET in the field. */
export function pdKey(address: number): string {
  return Buffer.from(Array.from({ length: 16 }, (_, i) => (address * 17 + i * 29) & 0xff)).toString(
    "hex",
  );
}

export const READERS = [1, 2, 3, 4, 5, 6];
export const TERMINAL = 7;
export const IO = 8;
export const FINGER = "engineer-1-right-index";

/**
 * The PDs of one bus: six readers, a fingerprint terminal and an I/O module. The PD at
 * `fresh` comes from the factory: no key of its own, install mode (SCBK-D) on.
 */
export function simBus(baudRate: number, fresh?: number) {
  return {
    baudRate,
    pds: [
      ...READERS.map((address) =>
        address === fresh
          ? { address, kind: "reader", installMode: true }
          : { address, kind: "reader", keyHex: pdKey(address) },
      ),
      { address: TERMINAL, kind: "fingerprint", keyHex: pdKey(TERMINAL) },
      { address: IO, kind: "io", keyHex: pdKey(IO), outputs: 4, inputs: 4 },
    ],
  };
}

/**
 * A site whose doors are on one OSDP bus: the hall (reader 1, lock on output 0 of the I/O
 * module) and a card + fingerprint cabinet room (reader 2, terminal 7, lock on output 1).
 */
export function osdpSiteConfig(dir: string, device: string, baudRate: number, fresh?: number) {
  const bus = "osdp-1";
  return {
    site: "osdp-site",
    store: { path: join(dir, "edge.db") },
    fingerprint: { keyHex: "ab".repeat(32), armMs: 8000 },
    buses: [
      {
        id: bus,
        kind: "osdp",
        device,
        baudRate,
        allowInstallMode: fresh !== undefined,
        pds: simBus(baudRate).pds.map((pd) => ({
          address: pd.address,
          keyHex: pd.keyHex,
          install: pd.address === fresh,
        })),
        readers: READERS.map((address) => ({ id: `r${address}`, address, formats: ["H10301"] })),
      },
    ],
    doors: [
      {
        id: "hall",
        name: "Hall",
        areaId: 1,
        entryReader: "r1",
        lock: { bus, address: IO, number: 0 },
        contact: { bus, address: IO, number: 0 },
        strikeMs: 1500,
      },
      {
        id: "cabinet",
        name: "Cabinet room",
        areaId: 2,
        entryReader: "r2",
        mode: "card-and-fingerprint",
        fingerprint: true,
        terminal: { bus, address: TERMINAL },
        lock: { bus, address: IO, number: 1 },
        strikeMs: 1500,
      },
      ...[3, 4, 5, 6].map((address) => ({
        id: `door-${address}`,
        name: `Door ${address}`,
        areaId: 1,
        entryReader: `r${address}`,
        lock: { bus, address: IO, number: 2 },
        strikeMs: 1000,
      })),
    ],
  };
}

/** Person 1 (card 101) may enter the hall and the cabinet room; card 202 has no access. */
export function osdpState(version: number) {
  const T0 = Date.now();
  const DAY = 86_400_000;
  return {
    site: "osdp-site",
    version,
    ...EMPTY_STATE_PARTS,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 60 },
    persons: [1, 2].map((id) => ({ id, displayName: `Engineer ${id}` })),
    cards: [h10301Card(101, 1), h10301Card(202, 2)],
    employments: [
      { id: 1, personId: 1, companyId: 9, start: T0 - 100 * DAY, end: null },
      { id: 2, personId: 2, companyId: 9, start: T0 - 100 * DAY, end: null },
    ],
    areas: [
      { id: 1, name: "Hall", requiredCertificates: [] },
      { id: 2, name: "Cabinet room", requiredCertificates: [] },
    ],
    authorizations: [
      { id: 1, employmentId: 1, areaId: 1 },
      { id: 2, employmentId: 1, areaId: 2 },
    ],
  };
}

/** Writes the files of an OSDP site: site config, bus file, state and enrolled template. */
export function writeOsdpSite(dir: string, device: string, baudRate: number, fresh?: number) {
  const files = {
    config: join(dir, "site.json"),
    bus: join(dir, "bus.json"),
    state: join(dir, "state.json"),
    template: join(dir, "finger.bin"),
  };
  writeFileSync(files.config, JSON.stringify(osdpSiteConfig(dir, device, baudRate, fresh)));
  writeFileSync(files.bus, JSON.stringify(simBus(baudRate, fresh)));
  writeFileSync(files.state, JSON.stringify(osdpState(1)));
  writeFileSync(files.template, captureTemplate(FINGER, seededRng(7)));
  return files;
}
