import type { KeyObject } from "node:crypto";
import { keyFingerprint, loadPublicKey, type TrustedKeys } from "@acs/protocol";
import type Database from "better-sqlite3";
import { CentralError } from "../errors.js";

/** An edge's key as central keeps it. */
export interface EdgeKeyInfo {
  readonly keyId: string;
  readonly site: string;
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  readonly registeredAt: number;
  readonly registeredBy: string;
  /** When central first verified a message signed with it. */
  readonly firstUsedAt: number | null;
  /** The overlap of a rotation ends then: refused from that instant. */
  readonly retireAt: number | null;
  readonly retiredAt: number | null;
  readonly retiredReason: string | null;
}

interface Row {
  key_id: string;
  site_id: string;
  public_key_pem: string;
  fingerprint: string;
  registered_at: number;
  registered_by: string;
  first_used_at: number | null;
  retire_at: number | null;
  retired_at: number | null;
  retired_reason: string | null;
}

const COLUMNS =
  "key_id, site_id, public_key_pem, fingerprint, registered_at, registered_by, first_used_at, retire_at, retired_at, retired_reason";

function info(r: Row): EdgeKeyInfo {
  return {
    keyId: r.key_id,
    site: r.site_id,
    publicKeyPem: r.public_key_pem,
    fingerprint: r.fingerprint,
    registeredAt: r.registered_at,
    registeredBy: r.registered_by,
    firstUsedAt: r.first_used_at,
    retireAt: r.retire_at,
    retiredAt: r.retired_at,
    retiredReason: r.retired_reason,
  };
}

/** Whether `key` is accepted at `now`: not retired, its overlap not over. */
export function isActive(key: EdgeKeyInfo, now: number): boolean {
  return key.retiredAt === null && (key.retireAt === null || now < key.retireAt);
}

/** The default id of an edge's key: its site and fingerprint (as `accessctl keygen` prints it). */
export function defaultEdgeKeyId(site: string, publicKeyPem: string): string {
  return `${site}-${keyFingerprint(publicKeyPem)}`;
}

/**
 * The registry of the edges' own keys (table edge_key of central's store): registered
 * for a site by an administrator (CLI or API), looked up by key id for every message an
 * edge sends. A site may have several active keys: a key registered while another is
 * active overlaps it, and the older ones retire `overlapMs` after the new key is first
 * used (the edge has switched). Written by the CLI and the service alike.
 */
export class EdgeKeyRegistry {
  private readonly db: Database.Database;
  private readonly now: () => number;

  constructor(db: Database.Database, now: () => number) {
    this.db = db;
    this.now = now;
  }

  /** Registers `publicKeyPem` (Ed25519, SPKI PEM) for `site`. */
  register(
    site: string,
    publicKeyPem: string,
    options: { keyId?: string; by: string },
  ): EdgeKeyInfo {
    let key: KeyObject;
    try {
      key = loadPublicKey(publicKeyPem);
    } catch {
      throw new CentralError("INVALID", "publicKeyPem", "not an Ed25519 public key in PEM");
    }
    const pem = key.export({ type: "spki", format: "pem" }).toString();
    const keyId = options.keyId ?? defaultEdgeKeyId(site, pem);
    if (!/^[\x21-\x7e]{1,128}$/.test(keyId))
      throw new CentralError("INVALID", "keyId", "1..128 printable ASCII characters, no spaces");
    const known = this.db.prepare("SELECT 1 FROM site WHERE id = ?").pluck().get(site);
    if (known === undefined) throw new CentralError("NOT_FOUND", "site", `no site "${site}"`);
    const fingerprint = keyFingerprint(pem);
    const clash = this.db
      .prepare<[string, string], Row>(
        `SELECT ${COLUMNS} FROM edge_key WHERE key_id = ? OR fingerprint = ?`,
      )
      .get(keyId, fingerprint);
    if (clash) {
      if (clash.key_id === keyId && clash.fingerprint === fingerprint && clash.site_id === site)
        return info(clash);
      throw new CentralError(
        "CONFLICT",
        clash.key_id === keyId ? "keyId" : "publicKeyPem",
        clash.key_id === keyId
          ? `key id "${keyId}" is registered already`
          : `this key is registered already (as "${clash.key_id}" of site "${clash.site_id}")`,
      );
    }
    this.db
      .prepare(
        "INSERT INTO edge_key (key_id, site_id, public_key_pem, fingerprint, registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(keyId, site, pem, fingerprint, this.now(), options.by);
    return this.get(keyId) as EdgeKeyInfo;
  }

  /** Retires a key at once (compromised, edge replaced); refused from now on. */
  retire(keyId: string, reason: string): EdgeKeyInfo {
    const key = this.get(keyId);
    if (!key) throw new CentralError("NOT_FOUND", "keyId", `no edge key "${keyId}"`);
    if (key.retiredAt !== null) return key;
    this.db
      .prepare("UPDATE edge_key SET retired_at = ?, retired_reason = ? WHERE key_id = ?")
      .run(this.now(), reason, keyId);
    return this.get(keyId) as EdgeKeyInfo;
  }

  get(keyId: string): EdgeKeyInfo | undefined {
    const row = this.db
      .prepare<[string], Row>(`SELECT ${COLUMNS} FROM edge_key WHERE key_id = ?`)
      .get(keyId);
    return row ? info(row) : undefined;
  }

  list(site?: string): EdgeKeyInfo[] {
    const rows =
      site === undefined
        ? this.db
            .prepare<[], Row>(`SELECT ${COLUMNS} FROM edge_key ORDER BY site_id, registered_at`)
            .all()
        : this.db
            .prepare<[string], Row>(
              `SELECT ${COLUMNS} FROM edge_key WHERE site_id = ? ORDER BY registered_at`,
            )
            .all(site);
    return rows.map(info);
  }

  /**
   * The first message verified with `keyId`: the edge has switched to it, so its site's
   * older active keys retire `overlapMs` from now (messages signed with them before the
   * switch may still be on their way). Returns the keys given a retirement.
   */
  firstUse(keyId: string, overlapMs: number): string[] {
    const now = this.now();
    return this.db
      .transaction(() => {
        const key = this.get(keyId);
        if (!key || key.firstUsedAt !== null) return [];
        this.db.prepare("UPDATE edge_key SET first_used_at = ? WHERE key_id = ?").run(now, keyId);
        const older = this.db
          .prepare<[string, number, string], string>(
            `SELECT key_id FROM edge_key WHERE site_id = ? AND registered_at <= ? AND key_id <> ?
               AND retired_at IS NULL AND retire_at IS NULL`,
          )
          .pluck()
          .all(key.site, key.registeredAt, keyId);
        const retire = this.db.prepare(
          "UPDATE edge_key SET retire_at = ?, retired_reason = 'replaced' WHERE key_id = ?",
        );
        for (const id of older) retire.run(now + overlapMs, id);
        return older;
      })
      .immediate();
  }
}

/**
 * The registry as the service reads it for every message: cached, reread every
 * `refreshMs` and at most every `missMs` on an unknown key id (another process, the CLI,
 * registers keys), so a flood of made-up key ids costs no more than a query per `missMs`.
 */
export class EdgeKeyCache implements TrustedKeys {
  private readonly registry: EdgeKeyRegistry;
  private readonly now: () => number;
  private readonly refreshMs: number;
  private readonly missMs: number;
  private keys = new Map<string, { info: EdgeKeyInfo; key: KeyObject }>();
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(registry: EdgeKeyRegistry, now: () => number, refreshMs = 2000, missMs = 250) {
    this.registry = registry;
    this.now = now;
    this.refreshMs = refreshMs;
    this.missMs = missMs;
  }

  /** The public key of an active key id (for openSigned). */
  get(keyId: string): KeyObject | undefined {
    const entry = this.entry(keyId);
    return entry && isActive(entry.info, this.now()) ? entry.key : undefined;
  }

  /** The key's registry entry (any state), for its site and to tell a retired key apart. */
  info(keyId: string): EdgeKeyInfo | undefined {
    return this.entry(keyId)?.info;
  }

  /** Rereads the registry now (after a change made by this process). */
  reload(): void {
    const keys = new Map<string, { info: EdgeKeyInfo; key: KeyObject }>();
    for (const info of this.registry.list()) {
      try {
        keys.set(info.keyId, { info, key: loadPublicKey(info.publicKeyPem) });
      } catch {
        // A row that is no key is never trusted.
      }
    }
    this.keys = keys;
    this.loadedAt = this.now();
  }

  private entry(keyId: string) {
    const age = this.now() - this.loadedAt;
    if (age >= this.refreshMs || (!this.keys.has(keyId) && age >= this.missMs)) this.reload();
    return this.keys.get(keyId);
  }
}
