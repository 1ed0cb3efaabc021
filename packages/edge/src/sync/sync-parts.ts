import type { ReaderHealth, SiteDelta } from "@acs/protocol";
import type { Logger } from "pino";
import { EventJournal, type EventRecorder } from "../store/event-journal.js";
import { CentralKeyRing } from "./central-key-ring.js";
import { CommandHandler } from "./commands.js";
import { DeltaSequencer } from "./deltas.js";
import { type EdgeSigner, edgeSigner } from "./edge-signer.js";
import type { Link } from "./link.js";
import { SecurityEvents } from "./security-events.js";
import { SnapshotReceiver } from "./snapshots.js";
import { StatusPublisher } from "./status.js";
import { Subscriptions } from "./subscriptions.js";
import type { SyncClientOptions } from "./sync-types.js";
import { Uplink } from "./uplink.js";

/** The parts of the sync client, each with its own job; the client routes between them. */
export interface SyncParts {
  readonly signer: EdgeSigner;
  readonly keyRing: CentralKeyRing;
  readonly events: EventRecorder;
  /** The journal the client keeps when it was given none (started and stopped with it). */
  readonly ownJournal: EventJournal | undefined;
  readonly security: SecurityEvents;
  readonly subscriptions: Subscriptions;
  readonly snapshots: SnapshotReceiver;
  readonly deltas: DeltaSequencer;
  readonly uplink: Uplink;
  readonly status: StatusPublisher;
  readonly commands: CommandHandler;
}

/** What the parts call back in the client that owns them. */
export interface SyncPartsWiring {
  readonly link: Link;
  readonly log: Logger;
  /** The topic filters to subscribe to. */
  readonly filters: readonly string[];
  subscribe(
    filters: readonly string[],
    done: (error: Error | undefined, codes: readonly number[] | undefined) => void,
  ): void;
  subscriptionsChanged(): void;
  snapshotFinished(version: number | null): void;
  deltasApplied(deltas: readonly SiteDelta[]): void;
  readers(): ReaderHealth[];
  /** Connected with every subscription granted. */
  healthy(): boolean;
}

/** Builds the parts over the client's options; they reach each other only when running. */
export function createSyncParts(options: SyncClientOptions, wiring: SyncPartsWiring): SyncParts {
  const { site, store, clock } = options;
  const { link, log } = wiring;
  const signer = edgeSigner(options.signingKey);
  const keyRing = new CentralKeyRing(options.publicKeys, store, clock, log);
  const publicKeys = keyRing;
  const ownJournal = options.events
    ? undefined
    : new EventJournal({ sink: () => store, clock, log: log.child({ module: "journal" }) });
  const events = options.events ?? (ownJournal as EventJournal);
  const security = new SecurityEvents(events, clock, log, options.securityEventsPerMinute ?? 60);
  const subscriptions = new Subscriptions({
    filters: wiring.filters,
    clock,
    log,
    subscribe: (filters, done) => wiring.subscribe(filters, done),
    changed: () => wiring.subscriptionsChanged(),
    ...(options.subscribeRetry ? { retry: options.subscribeRetry } : {}),
  });
  const snapshots = new SnapshotReceiver({
    site,
    store,
    publicKeys,
    clock,
    log,
    security,
    link,
    signer,
    ...(options.snapshot ? { options: options.snapshot } : {}),
    finished: (version) => wiring.snapshotFinished(version),
  });
  const deltas = new DeltaSequencer({
    site,
    store,
    publicKeys,
    clock,
    log,
    security,
    ...(options.deltas ? { options: options.deltas } : {}),
    requestSnapshot: (reason) => snapshots.request(reason),
    snapshotPending: () => snapshots.pending(),
    applied: (applied) => wiring.deltasApplied(applied),
  });
  const uplink = new Uplink({
    site,
    store,
    events,
    clock,
    log,
    link,
    security,
    signer,
    centralKeys: keyRing,
    ...(options.uplink ? { options: options.uplink } : {}),
    alarmChanged: () => status.changed(),
  });
  const status = new StatusPublisher({
    site,
    clock,
    log,
    link,
    signer,
    ...(options.status ? { options: options.status } : {}),
    stateVersion: () => store.stateVersion() ?? 0,
    outboxDepth: () => uplink.outboxDepth(),
    outboxAlarm: () => uplink.alarmLevel() > 0,
    readers: () => wiring.readers(),
    centralKeyIds: () => keyRing.ids(),
    storeHealth: () =>
      options.hooks.storeHealth?.() ?? { unwritable: false, queued: 0, dropped: 0 },
    outboxEpoch: () => store.outboxEpoch() ?? "",
    syncHealthy: () => wiring.healthy(),
  });
  const commands = new CommandHandler({
    site,
    store,
    events,
    publicKeys,
    keyRing,
    signer,
    clock,
    log,
    link,
    execute: (command) => options.hooks.executeCommand(command),
    ...(options.commands ? { options: options.commands } : {}),
  });
  return {
    signer,
    keyRing,
    events,
    ownJournal,
    security,
    subscriptions,
    snapshots,
    deltas,
    uplink,
    status,
    commands,
  };
}
