import type { KeyObject } from "node:crypto";
import { loadPublicKey, type TrustedKeys } from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Store } from "../store/store.js";

/** Why a key change was refused (the command's result reason). */
export type KeyChangeRefusal = "BAD_KEY" | "KEY_ID_CONFLICT" | "LAST_KEY" | "STORE_UNWRITABLE";

/**
 * Central's signing keys this edge trusts: the site config's, plus those a signed key
 * rotation added, minus those it withdrew (kept in the store, so a restart keeps them).
 * Central rotates its key with an overlap: it has the edges trust the new key (a command
 * signed with the old one), switches to signing with the new key once the edge's status
 * lists it, then has the old one withdrawn (signed with the new one). Never the last key.
 */
export class CentralKeyRing implements TrustedKeys {
  private readonly keys = new Map<string, KeyObject>();
  private readonly configured: ReadonlyMap<string, KeyObject>;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(configured: ReadonlyMap<string, KeyObject>, store: Store, clock: Clock, log: Logger) {
    this.configured = configured;
    this.store = store;
    this.clock = clock;
    this.log = log;
    for (const [id, key] of configured) this.keys.set(id, key);
    for (const row of store.centralKeys.list()) {
      if (!row.trusted) {
        this.keys.delete(row.keyId);
        continue;
      }
      if (row.publicKeyPem === null) continue;
      try {
        this.keys.set(row.keyId, loadPublicKey(row.publicKeyPem));
      } catch (err) {
        log.error(
          { keyId: row.keyId, err: (err as Error).message },
          "a stored central key is unreadable",
        );
      }
    }
  }

  get(keyId: string): KeyObject | undefined {
    return this.keys.get(keyId);
  }

  /** The key ids trusted now, sorted (the status reports them). */
  ids(): string[] {
    return [...this.keys.keys()].sort();
  }

  /** Trusts a new key of central's; refused for a bad PEM or an id the config gives another key. */
  trust(keyId: string, publicKeyPem: string): KeyChangeRefusal | undefined {
    let key: KeyObject;
    try {
      key = loadPublicKey(publicKeyPem);
    } catch {
      return "BAD_KEY";
    }
    const existing = this.configured.get(keyId) ?? this.keys.get(keyId);
    if (existing && !existing.equals(key)) return "KEY_ID_CONFLICT";
    try {
      this.store.centralKeys.set(keyId, publicKeyPem, true, this.clock.wallMs());
    } catch (err) {
      this.log.error({ keyId, err: (err as Error).message }, "a central key change not stored");
      return "STORE_UNWRITABLE";
    }
    this.keys.set(keyId, key);
    this.log.warn({ keyId, trusted: this.ids() }, "central key trusted");
    return undefined;
  }

  /** Withdraws one of central's keys; never the last one. Unknown ids are a no-op. */
  untrust(keyId: string): KeyChangeRefusal | undefined {
    if (!this.keys.has(keyId)) return undefined;
    if (this.keys.size <= 1) return "LAST_KEY";
    try {
      this.store.centralKeys.set(keyId, null, false, this.clock.wallMs());
    } catch (err) {
      this.log.error({ keyId, err: (err as Error).message }, "a central key change not stored");
      return "STORE_UNWRITABLE";
    }
    this.keys.delete(keyId);
    this.log.warn({ keyId, trusted: this.ids() }, "central key withdrawn");
    return undefined;
  }
}
