import type { CommandAction, EdgeStatus, SigningKey } from "@acs/protocol";
import type { Logger } from "pino";

export interface RotationDeps {
  /** The key central signs with now, and the one it moves to (absent: no rotation). */
  readonly current: SigningKey;
  readonly next?: SigningKey;
  /** The public key of `next`, sent to the edges to trust. */
  readonly nextPublicKeyPem?: string;
  readonly log: Logger;
  readonly now: () => number;
  /** Sends a command to a site, signed with `key`. */
  send(site: string, action: CommandAction, key: SigningKey): void;
  /** The sites central serves (those with no status yet stay on the current key). */
  sites(): readonly string[];
}

/** How often a key command goes again to a site that has not confirmed it. */
const RESEND_MS = 30_000;

/**
 * Central's key rotation, with an overlap, site by site. With a next key configured, a
 * site whose edge does not trust it yet is sent `trust-central-key` (signed with the
 * current key) until its status lists the new key; from then on everything for that site
 * is signed with the new key, and it is sent `untrust-central-key` for the old one (signed
 * with the new key) until its status no longer lists it. An edge that is offline keeps
 * getting the old key's signatures until it has confirmed: nobody is cut off. When every
 * site has confirmed, central says so; restart it with only the new key.
 */
export class KeyRotation {
  private readonly deps: RotationDeps;
  private readonly statuses = new Map<string, readonly string[]>();
  private readonly lastSent = new Map<string, number>();
  private completeLogged = false;

  constructor(deps: RotationDeps) {
    this.deps = deps;
  }

  /** The key to sign `site`'s messages with. */
  keyFor(site: string): SigningKey {
    const next = this.deps.next;
    if (!next) return this.deps.current;
    return this.statuses.get(site)?.includes(next.keyId) ? next : this.deps.current;
  }

  /**
   * The key of the status every edge reads: the new one once every site that reported
   * trusts it (an edge that no longer trusts the old one only loses a hint meanwhile).
   */
  statusKey(): SigningKey {
    const next = this.deps.next;
    if (!next) return this.deps.current;
    const trusted = [...this.statuses.values()];
    return trusted.length > 0 && trusted.every((ids) => ids.includes(next.keyId))
      ? next
      : this.deps.current;
  }

  /** An edge's verified status: the keys it trusts now. */
  onStatus(site: string, status: EdgeStatus): void {
    if (status.centralKeyIds.length === 0) return;
    this.statuses.set(site, status.centralKeyIds);
    if (status.online) this.drive(site);
  }

  /** Looks at every site (periodically): sends what a site still has to confirm. */
  tick(): void {
    if (!this.deps.next) return;
    for (const site of this.statuses.keys()) this.drive(site);
    this.checkComplete();
  }

  /** Where the rotation stands: sites done, sites left. */
  progress(): { readonly done: string[]; readonly pending: string[] } {
    const done: string[] = [];
    const pending: string[] = [];
    for (const site of this.deps.sites()) (this.siteDone(site) ? done : pending).push(site);
    return { done, pending };
  }

  private siteDone(site: string): boolean {
    const { next, current } = this.deps;
    const ids = this.statuses.get(site);
    if (next === undefined) return false;
    return ids?.includes(next.keyId) === true && !ids.includes(current.keyId);
  }

  private drive(site: string): void {
    const { next, current, nextPublicKeyPem, log, now } = this.deps;
    if (!next || !nextPublicKeyPem) return;
    const ids = this.statuses.get(site) ?? [];
    if (this.siteDone(site)) return;
    const step = ids.includes(next.keyId) ? "untrust" : "trust";
    const last = this.lastSent.get(`${site} ${step}`);
    if (last !== undefined && now() - last < RESEND_MS) return;
    this.lastSent.set(`${site} ${step}`, now());
    if (step === "trust") {
      log.info(
        { site, keyId: next.keyId },
        "central key rotation: asking the edge to trust the new key",
      );
      this.deps.send(
        site,
        { kind: "trust-central-key", keyId: next.keyId, publicKeyPem: nextPublicKeyPem },
        current,
      );
    } else if (ids.includes(current.keyId)) {
      log.info(
        { site, keyId: current.keyId },
        "central key rotation: asking the edge to drop the old key",
      );
      this.deps.send(site, { kind: "untrust-central-key", keyId: current.keyId }, next);
    }
  }

  private checkComplete(): void {
    if (this.completeLogged) return;
    const { pending, done } = this.progress();
    if (pending.length > 0) return;
    this.completeLogged = true;
    this.deps.log.warn(
      { sites: done.length, keyId: this.deps.next?.keyId },
      "central key rotation complete: every site trusts only the new key; serve with it alone",
    );
  }
}
