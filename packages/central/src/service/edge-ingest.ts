import { claimedKeyId, openSigned, refusalReason } from "@acs/protocol";
import type { Logger } from "pino";
import type { EdgeKeyCache, EdgeKeyRegistry } from "../trust/edge-keys.js";
import type { RefusedKind, SecurityLog } from "./security-log.js";

export interface EdgeIngestDeps {
  readonly keys: EdgeKeyCache;
  /** Records a key's first use (the edge switched to it); absent: read-only tools. */
  readonly registry?: EdgeKeyRegistry;
  readonly security: SecurityLog;
  readonly log: Logger;
  /** After a site's new key is first used, its older keys are accepted this much longer. */
  readonly overlapMs: number;
}

/** An edge's message, verified: the payload, the key that signed it. */
export interface VerifiedMessage {
  readonly keyId: string;
  readonly payload: Uint8Array;
}

/**
 * Opens what edges send: central acts only on a message signed by an active key of the
 * very site whose topic it came on. Anything else (unsigned, wrongly signed, an unknown or
 * retired key, another site's key) is refused as a security event and counted. The first
 * message signed with a site's newest key confirms the edge's key rotation: its older keys
 * retire once the overlap has passed.
 */
export class EdgeIngest {
  private readonly deps: EdgeIngestDeps;
  private readonly used = new Set<string>();

  constructor(deps: EdgeIngestDeps) {
    this.deps = deps;
  }

  open(
    site: string,
    kind: RefusedKind & ("events" | "status" | "command-result" | "snapshot-request"),
    bytes: Uint8Array,
  ): VerifiedMessage | undefined {
    const { keys, security } = this.deps;
    let opened: { keyId: string; payload: Uint8Array };
    try {
      opened = openSigned(bytes, kind, keys);
    } catch (err) {
      const claimed = claimedKeyId(bytes) ?? null;
      let reason = refusalReason(err, bytes);
      if (reason === "UNKNOWN_KEY" && claimed !== null && keys.info(claimed))
        reason = "RETIRED_KEY";
      security.refused(kind, site, reason, claimed, { bytes: bytes.byteLength });
      return undefined;
    }
    const info = keys.info(opened.keyId);
    if (!info || info.site !== site) {
      security.refused(kind, site, "WRONG_SITE", opened.keyId, { keySite: info?.site ?? null });
      return undefined;
    }
    this.firstUse(opened.keyId, info.firstUsedAt);
    return opened;
  }

  private firstUse(keyId: string, firstUsedAt: number | null): void {
    if (firstUsedAt !== null || this.used.has(keyId) || !this.deps.registry) return;
    this.used.add(keyId);
    try {
      const retiring = this.deps.registry.firstUse(keyId, this.deps.overlapMs);
      this.deps.keys.reload();
      if (retiring.length > 0)
        this.deps.log.warn(
          { keyId, retiring, overlapMs: this.deps.overlapMs },
          "edge key rotation confirmed: the older keys retire after the overlap",
        );
    } catch (err) {
      this.used.delete(keyId);
      this.deps.log.error(
        { keyId, err: (err as Error).message },
        "first use of an edge key not recorded",
      );
    }
  }
}
