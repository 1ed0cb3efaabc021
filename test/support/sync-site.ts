import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSigningKeyPair } from "@acs/protocol";
import { central } from "./central-process.js";

const DAY = 86_400_000;

export interface CentralFiles {
  readonly db: string;
  readonly keyFile: string;
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

/** A central store with a signing key pair, loaded with `dataset`. */
export async function prepareCentral(dir: string, dataset: object): Promise<CentralFiles> {
  const keyId = "central-1";
  const pair = generateSigningKeyPair(keyId);
  const files = {
    db: join(dir, "central.db"),
    keyFile: join(dir, "central-key.pem"),
    keyId,
    publicKeyPem: pair.publicKeyPem,
    privateKeyPem: pair.privateKeyPem,
  };
  writeFileSync(files.keyFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(dataset));
  for (const args of [["init"], ["load", join(dir, "dataset.json")]]) {
    const result = await central(files.db, ...args);
    if (result.code !== 0) throw new Error(`central ${args[0]}: ${result.stderr}`);
  }
  return files;
}

/**
 * One exchange: site `site` with the hall (area 1) and the cable room (area 2, KVD).
 * Engineers 1 and 2 (cards 101, 102: H10301 facility 18) may enter the hall, engineer 3
 * (card 103) only works at another site ("elsewhere").
 */
export function smallDataset(site: string) {
  const start = Date.now() - 100 * DAY;
  return {
    sites: [
      { id: site, name: "Amsterdam Barbara Strozzilaan", fingerprintRequired: false },
      { id: "elsewhere", name: "Rotterdam Waalhaven" },
    ],
    companies: [{ id: 9, name: "Glasvezel Partners B.V." }],
    persons: [1, 2, 3].map((id) => ({ id, displayName: `Engineer ${id}` })),
    employments: [1, 2, 3].map((id) => ({ id, personId: id, companyId: 9, start })),
    cards: [1, 2, 3].map((id) => ({
      id: 100 + id,
      personId: id,
      format: "H10301",
      facility: 18,
      number: 100 + id,
      status: "active",
    })),
    areas: [
      { id: 1, siteId: site, name: "Hall" },
      { id: 2, siteId: site, name: "Cable room", requiredCertificates: ["KVD"] },
      { id: 3, siteId: "elsewhere", name: "Hall" },
    ],
    authorizations: [
      { id: 1, employmentId: 1, areaId: 1 },
      { id: 2, employmentId: 2, areaId: 1 },
      { id: 3, employmentId: 3, areaId: 3 },
    ],
  };
}

/** accessd's config for `site` with a bridge board on `device` and the sync section. */
export function syncedSiteConfig(options: {
  dir: string;
  site: string;
  device: string;
  mqttUrl: string;
  central: CentralFiles;
  /** sync.tls: the broker's CA and this edge's client certificate (an mqtts:// URL). */
  tls?: { caFile: string; certFile: string; keyFile: string };
}) {
  return {
    site: options.site,
    store: { path: join(options.dir, `${options.site}.db`) },
    buses: [
      {
        id: "bridge-1",
        kind: "bridge",
        device: options.device,
        heartbeatMs: 100,
        readers: [{ id: "hall-in", port: 0, formats: ["H10301"] }],
      },
    ],
    doors: [
      {
        id: "hall",
        name: "Hall",
        areaId: 1,
        entryReader: "hall-in",
        lock: { bus: "bridge-1", number: 0 },
        strikeMs: 500,
      },
    ],
    sync: {
      mqttUrl: options.mqttUrl,
      ...(options.tls ? { tls: options.tls } : {}),
      centralKeys: [{ keyId: options.central.keyId, publicKeyPem: options.central.publicKeyPem }],
      heartbeatMs: 5000,
    },
  };
}
