import { NAK_CODES } from "../codes.js";
import { OsdpError } from "../errors.js";
import type { ControlPanelOptions, Transaction } from "./options.js";
import type { CommandRequest, PdLink } from "./pd-link.js";

// The life cycle of one PD's link as the CP sees it: online, offline with a growing probe
// interval, a session or a whole link to re-establish, and what a NAK means for each. It
// changes link state and tells the handlers; choosing what to send next stays with the
// scheduler, which reads the state on its next turn.

/** A command waiting to go before the next poll. */
export interface UrgentItem {
  readonly link: PdLink;
  readonly request: CommandRequest;
}

export class PdLifecycle {
  constructor(
    private readonly o: ControlPanelOptions,
    /** The scheduler's urgent queue, shared: a PD going offline fails its entries too. */
    private readonly urgent: UrgentItem[],
    private readonly report: (err: unknown, address: number | undefined) => void,
  ) {}

  /** Install mode needs both the bus's consent and the PD's. */
  installAllowed(link: PdLink): boolean {
    return (this.o.allowInstallMode ?? false) && (link.config.install ?? false);
  }

  goOnline(link: PdLink): void {
    link.state = "online";
    link.stats.online = true;
    link.probeBackoffMs = 0;
    this.o.handlers?.online?.(link.address, {
      identification: link.identification as NonNullable<PdLink["identification"]>,
      capabilities: link.capabilities,
      secure: link.session !== undefined,
    });
  }

  goOffline(link: PdLink, reason: string): void {
    const wasOnline = link.state === "online";
    link.state = "offline";
    link.stats.online = false;
    link.session = undefined;
    link.handshake = undefined;
    link.identification = undefined;
    link.capabilities = [];
    link.usingDefaultKey = false;
    const min = this.o.probeMinMs ?? 500;
    link.probeBackoffMs = Math.min(
      this.o.probeMaxMs ?? 8000,
      link.probeBackoffMs ? link.probeBackoffMs * 2 : min,
    );
    link.nextProbeMs = this.o.clock.now() + link.probeBackoffMs;
    const failure = new OsdpError("TIMEOUT", `PD ${link.address} went offline: ${reason}`);
    for (const request of link.queue.splice(0)) request.reject(failure);
    for (let i = this.urgent.length - 1; i >= 0; i--) {
      const item = this.urgent[i];
      if (item?.link === link) {
        this.urgent.splice(i, 1);
        item.request.reject(failure);
      }
    }
    if (wasOnline) {
      link.stats.offlineCount++;
      this.o.handlers?.offline?.(link.address, reason);
    }
  }

  /** The session broke (bad MAC, a PD that lost it): a new handshake, the command again. */
  restartSession(txn: Transaction): void {
    const { link } = txn;
    link.session = undefined;
    link.handshake = undefined;
    if (link.state === "online") link.state = "initialising";
    if (txn.request) link.queue.unshift(txn.request);
  }

  /** The PD lost the sequence: sequence 0 restarts its link, so ID and CAP are asked again. */
  restartLink(txn: Transaction, reason: string): void {
    const { link } = txn;
    this.report(
      new OsdpError("WRONG_SEQUENCE", `PD ${link.address}: ${reason}; restarting its link`),
      link.address,
    );
    link.sequence = 0;
    link.session = undefined;
    if (txn.request) link.queue.unshift(txn.request);
    link.state = "initialising";
    link.identification = undefined;
    link.capabilities = [];
  }

  onNak(txn: Transaction, errorCode: number): void {
    const { link } = txn;
    link.stats.naks++;
    const error = new OsdpError(
      "NAK",
      `PD ${link.address} answered ${txn.step} with NAK 0x${errorCode.toString(16).padStart(2, "0")}`,
    );
    this.report(error, link.address);
    if (errorCode === NAK_CODES.SEQUENCE) {
      this.restartLink(txn, "sequence lost");
      return;
    }
    if (errorCode === NAK_CODES.SECURITY || errorCode === NAK_CODES.ENCRYPTION_REQUIRED) {
      if (txn.step === "chlng" && link.handshake?.keyType === 0x01 && this.installAllowed(link)) {
        // The PD has no key of its own yet: enrol it with the default key.
        link.usingDefaultKey = true;
        link.handshake = undefined;
        return;
      }
      if (txn.step === "chlng" || txn.step === "scrypt") {
        this.goOffline(link, "the PD refused the secure channel");
        return;
      }
      this.restartSession(txn);
      return;
    }
    if (txn.step === "command") txn.request?.reject(error);
    else if (txn.step !== "poll") this.goOffline(link, `NAK to ${txn.step}`);
  }
}
