import { EDGE_ENVELOPE_KINDS, openEnvelope } from "@acs/protocol";
import pino from "pino";
import { EventJournal } from "../../src/store/event-journal.js";
import { openStore, type Store } from "../../src/store/store.js";
import { CentralKeyRing } from "../../src/sync/central-key-ring.js";
import { edgeSigner } from "../../src/sync/edge-signer.js";
import type { Link, PublishOptions } from "../../src/sync/link.js";
import { SecurityEvents } from "../../src/sync/security-events.js";
import { fakeClock } from "../fake-clock.js";
import { EDGE, signingKeys } from "./central.js";
import { tempStorePath } from "./fixtures.js";

/** A link that records what would be published. */
export class FakeLink implements Link {
  connected = true;
  readonly sent: Array<{ topic: string; payload: Uint8Array; options: PublishOptions }> = [];

  publish(topic: string, payload: Uint8Array, options: PublishOptions): boolean {
    if (!this.connected) return false;
    this.sent.push({ topic, payload: new Uint8Array(payload), options });
    return true;
  }

  /** The payloads published on `topic`, their edge signatures checked and taken off. */
  on(topic: string): Uint8Array[] {
    return this.sent.filter((m) => m.topic === topic).map((m) => unsign(m.payload));
  }

  /** The signed envelopes published on `topic`, as they went. */
  raw(topic: string): Uint8Array[] {
    return this.sent.filter((m) => m.topic === topic).map((m) => m.payload);
  }
}

/** The payload of an envelope the test edge signed (any of the edge's kinds). */
export function unsign(envelope: Uint8Array): Uint8Array {
  for (const kind of EDGE_ENVELOPE_KINDS) {
    try {
      return openEnvelope(envelope, kind, EDGE.trusted);
    } catch {
      // another kind
    }
  }
  throw new Error("not signed by the test edge");
}

/** Central's key in the unit tests (acks, commands, deltas are signed with it). */
export const CENTRAL = signingKeys("central-1");

/**
 * A store on a temp file, a fake clock, a silent log, the event journal over the store,
 * security events, a fake link, the test edge's signer and central's keys.
 */
export function unitSetup() {
  const { clock, fake } = fakeClock();
  const log = pino({ level: "silent" });
  const path = tempStorePath();
  const store: Store = openStore(path);
  const events = new EventJournal({ sink: () => store, clock, log });
  const security = new SecurityEvents(events, clock, log);
  const link = new FakeLink();
  const signer = edgeSigner(EDGE.key);
  const keyRing = new CentralKeyRing(CENTRAL.trusted, store, clock, log);
  return { clock, fake, log, store, path, events, security, link, signer, keyRing };
}
