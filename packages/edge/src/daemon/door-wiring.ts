import type { Logger } from "pino";
import type { IndexHolder } from "../access-index/access-index.js";
import type { BridgeBus } from "../buses/bridge/bridge-bus.js";
import { OsdpBus } from "../buses/osdp/osdp-bus.js";
import type { CardRead, CardUnreadable } from "../buses/reader-bus.js";
import type { Clock } from "../clock.js";
import type { DoorConfig, SiteConfig } from "../config/site-config.js";
import { DoorController, InterlockGroup } from "../door/door-controller.js";
import type { PassbackTracker } from "../door/passback.js";
import { parseTemplateKey } from "../fingerprint/template-crypto.js";
import type { FingerprintTerminal } from "../fingerprint/terminal.js";
import type { ZoneClock } from "../schedule/local-time.js";
import type { EventRecorder } from "../store/event-journal.js";
import type { Store } from "../store/store.js";
import { AccessPoint } from "./access-point.js";

const ALARMS = new Set([
  "door-held-open-prealarm",
  "door-held-open-alarm",
  "door-forced-open",
  "interlock-blocked",
]);

const SIGNALS = {
  grant: { led: "green", buzzer: true, ms: 300 },
  deny: { led: "red", buzzer: true, ms: 1000 },
  "wait-finger": { led: "amber", buzzer: false, ms: 10_000 },
} as const;

/** What the doors need from the daemon: its state, its buses, where their events go. */
export interface DoorWiring {
  readonly config: SiteConfig;
  readonly store: Store;
  readonly holder: IndexHolder;
  /** Reads and decisions, recorded before the door acts. */
  readonly events: EventRecorder;
  readonly passback: PassbackTracker;
  readonly clock: Clock;
  readonly zone: ZoneClock;
  readonly log: Logger;
  readonly buses: ReadonlyMap<string, BridgeBus | OsdpBus>;
  readonly terminals: ReadonlyMap<string, FingerprintTerminal>;
  /** Door events, recorded right after the turn (DeferredOutbox). */
  readonly record: (
    type: string,
    where: { doorId?: string; readerId?: string },
    payload: object,
  ) => void;
}

/**
 * The site's door controllers (interlock groups joined), each with an access point per
 * reader listening on its bus.
 */
export function createDoors(w: DoorWiring): Map<string, DoorController> {
  const doors = new Map<string, DoorController>();
  const groups = new Map<string, InterlockGroup>();
  const key = w.config.fingerprint ? parseTemplateKey(w.config.fingerprint.keyHex) : undefined;
  for (const door of w.config.doors) {
    const group = door.interlockGroup
      ? (groups.get(door.interlockGroup) ?? new InterlockGroup())
      : undefined;
    if (door.interlockGroup && group) groups.set(door.interlockGroup, group);
    const controller = new DoorController({
      id: door.id,
      timing: {
        strikeMs: door.strikeMs,
        relockOnClose: door.relockOnClose,
        heldOpenPreAlarmMs: door.heldOpenPreAlarmMs,
        heldOpenAlarmMs: door.heldOpenAlarmMs,
        rexUnlocks: door.rex?.unlocks ?? true,
      },
      io: doorIo(w, door),
      clock: w.clock,
      emit: (event) => {
        w.record(event.type, { doorId: event.doorId }, event.detail ?? {});
        const fields = { door: event.doorId, event: event.type, ...event.detail };
        if (ALARMS.has(event.type)) w.log.warn(fields, "door alarm");
        else w.log.info(fields, "door");
      },
      initialMode: door.mode,
      ...(group ? { interlock: group } : {}),
    });
    group?.add(controller);
    doors.set(door.id, controller);
    for (const [readerId, direction] of [
      [door.entryReader, "entry"],
      [door.exitReader, "exit"],
    ] as const) {
      if (!readerId) continue;
      const reader = w.config.readers.get(readerId);
      const bus = reader ? w.buses.get(reader.bus.id) : undefined;
      if (!reader || !bus) continue;
      const terminal = w.terminals.get(door.id);
      const point = new AccessPoint({
        site: w.config.site,
        readerId,
        direction,
        door,
        controller,
        holder: w.holder,
        store: w.store,
        events: w.events,
        passback: w.passback,
        clock: w.clock,
        zone: w.zone,
        log: w.log,
        ...(terminal ? { terminal } : {}),
        ...(key && w.config.fingerprint
          ? { fingerprint: { key, armMs: w.config.fingerprint.armMs } }
          : {}),
      });
      const port = reader.reader.port;
      const onCard = (e: CardRead) => {
        if (e.port === port) point.onCard(e);
      };
      const onUnreadable = (e: CardUnreadable) => {
        if (e.port === port) point.onUnreadable(e);
      };
      if (bus instanceof OsdpBus) bus.on("card", onCard).on("unreadable", onUnreadable);
      else bus.on("card", onCard).on("unreadable", onUnreadable);
    }
  }
  return doors;
}

function doorIo(w: DoorWiring, door: DoorConfig) {
  const lockBus = w.buses.get(door.lock.bus);
  const reader = w.config.readers.get(door.entryReader);
  const readerBus = reader ? w.buses.get(reader.bus.id) : undefined;
  const { number, address } = door.lock;
  return {
    pulseLock: (ms: number) => lockBus?.pulseRelay(number, ms, address),
    holdLock: (released: boolean) => lockBus?.setRelay(number, released, address),
    signal: (kind: keyof typeof SIGNALS) => {
      const s = SIGNALS[kind];
      if (reader) readerBus?.feedback(reader.reader.port, s.led, s.buzzer, s.ms);
    },
  };
}
