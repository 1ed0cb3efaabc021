import pino from "pino";
import { EventJournal } from "../../src/store/event-journal.js";
import { openStore, type Store } from "../../src/store/store.js";
import type { Link, PublishOptions } from "../../src/sync/link.js";
import { SecurityEvents } from "../../src/sync/security-events.js";
import { fakeClock } from "../fake-clock.js";
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

  on(topic: string): Uint8Array[] {
    return this.sent.filter((m) => m.topic === topic).map((m) => m.payload);
  }
}

/**
 * A store on a temp file, a fake clock, a silent log, the event journal over the store,
 * security events, a fake link.
 */
export function unitSetup() {
  const { clock, fake } = fakeClock();
  const log = pino({ level: "silent" });
  const path = tempStorePath();
  const store: Store = openStore(path);
  const events = new EventJournal({ sink: () => store, clock, log });
  const security = new SecurityEvents(events, clock, log);
  const link = new FakeLink();
  return { clock, fake, log, store, path, events, security, link };
}
