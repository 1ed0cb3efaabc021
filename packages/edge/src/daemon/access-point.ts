import type { Logger } from "pino";
import type { IndexHolder } from "../access-index/access-index.js";
import type { CardRead, CardUnreadable } from "../buses/reader-bus.js";
import type { Clock } from "../clock.js";
import type { DoorConfig } from "../config/site-config.js";
import {
  type Credential,
  type Decision,
  type DecisionRequest,
  decide,
  type FingerprintOutcome,
} from "../decision/decide.js";
import type { DoorController } from "../door/door-controller.js";
import type { PassbackTracker } from "../door/passback.js";
import { openTemplate } from "../fingerprint/template-crypto.js";
import type { FingerprintTerminal } from "../fingerprint/terminal.js";
import type { ZoneClock } from "../schedule/local-time.js";
import type { EventRecorder } from "../store/event-journal.js";
import type { Store } from "../store/store.js";

interface ReadRecord {
  readonly type: "card-read" | "fingerprint-read";
  readonly payload: Record<string, unknown>;
}

export interface AccessPointOptions {
  readonly site: string;
  readonly readerId: string;
  readonly direction: "entry" | "exit";
  readonly door: DoorConfig;
  readonly controller: DoorController;
  readonly holder: IndexHolder;
  /** For enrollments (reads only). */
  readonly store: Store;
  /** Where the read and its decision are recorded (never throws). */
  readonly events: EventRecorder;
  readonly passback: PassbackTracker;
  readonly clock: Clock;
  readonly zone: ZoneClock;
  readonly log: Logger;
  readonly terminal?: FingerprintTerminal;
  readonly fingerprint?: { readonly key: Buffer; readonly armMs: number };
}

/**
 * One reader at one door: a read becomes a decision, the read and the decision go to the
 * outbox (one transaction) before anything else happens, then the door acts on it; at
 * fingerprint doors a card grant arms the terminal and a second decision follows. When the
 * store takes no writes (disk full) the pair waits in the journal's memory queue instead,
 * and the door acts exactly as it would have: the decision needs only the index.
 */
export class AccessPoint {
  private readonly o: AccessPointOptions;
  private readonly log: Logger;

  constructor(options: AccessPointOptions) {
    this.o = options;
    this.log = options.log.child({
      site: options.site,
      door: options.door.id,
      reader: options.readerId,
    });
  }

  onCard(event: CardRead): Decision {
    const { card } = event;
    return this.handle(
      { kind: "card", card },
      {
        type: "card-read",
        payload: {
          format: card.format,
          bits: card.bitLength,
          fields: card.fields,
          receivedAtUs: event.receivedAtUs,
        },
      },
    );
  }

  onUnreadable(event: CardUnreadable): Decision {
    return this.handle(
      { kind: "unreadable", code: event.error.code, bits: event.bits },
      {
        type: "card-read",
        payload: {
          bits: event.bits.length,
          error: event.error.code,
          receivedAtUs: event.receivedAtUs,
        },
      },
    );
  }

  private handle(credential: Credential, read: ReadRecord): Decision {
    const request = this.request(credential);
    const decision = this.decideNow(request);
    this.record(read, decision);
    this.act(request, decision);
    // Logged after the door has its command: a log write can wake another process.
    this.logDecision(decision);
    const receivedAtUs = read.payload.receivedAtUs;
    if (typeof receivedAtUs === "number" && this.log.isLevelEnabled("debug")) {
      this.log.debug({ edgeUs: this.o.clock.monotonicUs() - receivedAtUs }, "read handled");
    }
    return decision;
  }

  private request(credential: Credential, fingerprint?: FingerprintOutcome): DecisionRequest {
    const { door } = this.o;
    return {
      door: {
        id: door.id,
        areaId: door.areaId,
        direction: this.o.direction,
        mode: this.o.controller.mode,
        fingerprint: door.fingerprint,
        ...(door.antiPassback ? { antiPassback: door.antiPassback } : {}),
      },
      credential,
      passback: this.o.passback,
      ...(fingerprint ? { fingerprint } : {}),
    };
  }

  private decideNow(request: DecisionRequest): Decision {
    const ms = this.o.clock.wallMs();
    return decide(request, this.o.holder.current, { ms, local: this.o.zone.local(ms) });
  }

  /**
   * The read and its decision, in one outbox transaction: durable before the door moves
   * (or, while the store is unwritable, queued in memory in order; never a throw).
   */
  private record(read: ReadRecord, decision: Decision): void {
    const at = this.o.clock.wallMs();
    const where = { doorId: this.o.door.id, readerId: this.o.readerId };
    const subject = { cardId: decision.cardId ?? null, personId: decision.personId ?? null };
    const outcome =
      decision.outcome === "deny"
        ? { outcome: "deny", reason: decision.reason, message: decision.message }
        : { outcome: decision.outcome };
    this.o.events.record([
      { at, type: read.type, ...where, payload: read.payload },
      {
        at,
        type: "access-decision",
        ...where,
        payload: { ...subject, ...outcome, stateVersion: this.o.holder.current.version },
      },
    ]);
  }

  private logDecision(decision: Decision): void {
    const fields = {
      cardId: decision.cardId ?? null,
      personId: decision.personId ?? null,
      outcome: decision.outcome,
    };
    if (decision.outcome === "deny")
      this.log.info({ ...fields, reason: decision.reason }, decision.message);
    else
      this.log.info(
        fields,
        decision.outcome === "grant" ? "access granted" : "fingerprint required",
      );
  }

  private act(request: DecisionRequest, decision: Decision): void {
    switch (decision.outcome) {
      case "grant":
        if (this.o.controller.grant("card")) {
          this.o.passback.record(
            decision.personId,
            this.o.door.id,
            this.o.door.areaId,
            this.o.direction,
            this.o.clock.now(),
          );
        }
        return;
      case "deny":
        this.o.controller.signal("deny");
        return;
      case "fingerprint":
        this.o.controller.signal("wait-finger");
        void this.verifyFinger(request, decision.personId, decision.cardId);
        return;
    }
  }

  private async verifyFinger(
    request: DecisionRequest,
    personId: number,
    cardId: number,
  ): Promise<void> {
    let outcome: FingerprintOutcome = { kind: "timeout" };
    const { terminal, fingerprint, store } = this.o;
    try {
      const enrollment = store.enrollment(personId, cardId);
      if (!terminal || !fingerprint || !enrollment) {
        this.log.error(
          { personId, cardId, terminal: terminal?.id },
          "fingerprint required but no terminal or enrollment",
        );
      } else {
        const template = openTemplate(fingerprint.key, personId, cardId, enrollment.sealedTemplate);
        outcome = await terminal.verify({ template, timeoutMs: fingerprint.armMs });
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message, personId, cardId }, "fingerprint check failed");
    }
    const second = this.request(request.credential, outcome);
    const decision = this.decideNow(second);
    this.record(
      {
        type: "fingerprint-read",
        payload: {
          terminal: terminal?.id ?? null,
          result: outcome.kind,
          ...(outcome.kind === "match" ? { score: outcome.score } : {}),
        },
      },
      decision,
    );
    this.act(second, decision);
    this.logDecision(decision);
  }
}
