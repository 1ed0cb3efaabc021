import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  generateSigningKeyPair,
  keyFingerprint,
  publicKeys,
  type TrustedKeys,
} from "@acs/protocol";
import { central } from "./central-process.js";
import { accessctlRaw } from "./edge-processes.js";

const DAY = 86_400_000;

export interface CentralFiles {
  readonly db: string;
  readonly keyFile: string;
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
  /** Each site's edge key (private key file), registered at central for that site. */
  readonly edgeKeys: Readonly<Record<string, EdgeKeyFiles>>;
}

export interface EdgeKeyFiles {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

/**
 * A central store with a signing key pair, loaded with `dataset`, and an edge key pair for
 * each of its sites, made with `accessctl keygen` and registered with `central edge
 * register`, as an operator provisions an edge.
 */
export async function prepareCentral(dir: string, dataset: object): Promise<CentralFiles> {
  const keyId = "central-1";
  const pair = generateSigningKeyPair(keyId);
  const db = join(dir, "central.db");
  writeFileSync(join(dir, "central-key.pem"), pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(dataset));
  for (const args of [["init"], ["load", join(dir, "dataset.json")]]) {
    const result = await central(db, ...args);
    if (result.code !== 0) throw new Error(`central ${args[0]}: ${result.stderr}`);
  }
  const sites = ((dataset as { sites?: Array<{ id: string }> }).sites ?? []).map((s) => s.id);
  const edgeKeys: Record<string, EdgeKeyFiles> = {};
  await Promise.all(
    sites.map(async (site) => {
      edgeKeys[site] = await provisionEdgeKey(dir, db, site);
    }),
  );
  return {
    db,
    keyFile: join(dir, "central-key.pem"),
    keyId,
    publicKeyPem: pair.publicKeyPem,
    privateKeyPem: pair.privateKeyPem,
    edgeKeys,
  };
}

/** `accessctl keygen` for `site`, then `central edge register` of its public key. */
export async function provisionEdgeKey(
  dir: string,
  db: string,
  site: string,
  name = `edge-${site}.key`,
): Promise<EdgeKeyFiles> {
  const privateKeyFile = join(dir, name);
  const made = await accessctlRaw("keygen", "--site", site, "--out", privateKeyFile);
  if (made.code !== 0) throw new Error(`accessctl keygen: ${made.stderr}`);
  const publicKeyFile = `${privateKeyFile}.pub`;
  const registered = await central(
    db,
    "edge",
    "register",
    "--site",
    site,
    "--public-key",
    publicKeyFile,
  );
  if (registered.code !== 0) throw new Error(`central edge register: ${registered.stderr}`);
  return { privateKeyFile, publicKeyFile };
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
      edgeKey: { privateKeyFile: edgeKeyOf(options.central, options.site) },
      heartbeatMs: 5000,
    },
  };
}

/** The private key file of `site`'s edge (prepareCentral made one per site of its dataset). */
export function edgeKeyOf(central: CentralFiles, site: string): string {
  const files = central.edgeKeys[site];
  if (!files) throw new Error(`no edge key for site ${site}: is it in the dataset?`);
  return files.privateKeyFile;
}

/** Central's trust in `site`'s edge key, for a test that reads what the edge signed. */
export function edgeTrust(central: CentralFiles, site: string): TrustedKeys {
  const files = central.edgeKeys[site];
  if (!files) throw new Error(`no edge key for site ${site}`);
  const publicKeyPem = readFileSync(files.publicKeyFile, "utf8");
  return publicKeys([{ keyId: `${site}-${keyFingerprint(publicKeyPem)}`, publicKeyPem }]);
}
