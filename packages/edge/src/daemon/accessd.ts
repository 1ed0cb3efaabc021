import type { SigningKey } from "@acs/protocol";
import type { ByteTransport } from "@acs/serial-transport";
import type { Logger } from "pino";
import { type AccessIndex, IndexHolder } from "../access-index/access-index.js";
import { rebuildEnrollments } from "../access-index/build-index.js";
import {
  buildAccessIndexOffThread,
  buildAccessIndexParallel,
} from "../access-index/build-index-parallel.js";
import type { BridgeBus } from "../buses/bridge/bridge-bus.js";
import type { OsdpBus } from "../buses/osdp/osdp-bus.js";
import type { Clock } from "../clock.js";
import type { BusConfig, DoorConfig, SiteConfig } from "../config/site-config.js";
import type { DoorController } from "../door/door-controller.js";
import { PassbackTracker } from "../door/passback.js";
import type { FingerprintTerminal } from "../fingerprint/terminal.js";
import { ZoneClock } from "../schedule/local-time.js";
import { Checkpointer } from "../store/checkpointer.js";
import { EventJournal, type StoreHealth } from "../store/event-journal.js";
import type { OutboxEvent } from "../store/outbox.js";
import { openStore, type Store } from "../store/store.js";
import { WalAnchor } from "../store/wal-anchor.js";
import { WalGuard } from "../store/wal-guard.js";
import { type BusWiring, createReaderBus, createTerminals, ReaderStates } from "./bus-wiring.js";
import { DeferredOutbox } from "./deferred-outbox.js";
import { DoorModes } from "./door-modes.js";
import { createDoors } from "./door-wiring.js";
import { PageLimitFault } from "./page-limit-fault.js";
import { SiteSync } from "./site-sync.js";

export interface AccessdDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** The composition root picks the real serial port; tests may pass memory lines. */
  readonly transportFor: (bus: BusConfig) => ByteTransport;
  readonly terminals?: ReadonlyMap<string, FingerprintTerminal>;
  /** How often the store is checked for a state written by another process (accessctl import). */
  readonly reloadCheckMs?: number;
  /** WAL checkpoints from a worker thread every this many ms; 0 leaves them to SQLite (tests). */
  readonly checkpointMs?: number;
}

/**
 * The edge daemon of one site: store, decision index, reader buses, door controllers.
 * It decides from its own state only, so it keeps working without any network.
 */
export class Accessd {
  readonly config: SiteConfig;
  private readonly deps: AccessdDeps;
  private readonly log: Logger;
  private store: Store | undefined;
  private holder: IndexHolder | undefined;
  private readonly buses = new Map<string, BridgeBus | OsdpBus>();
  private terminals = new Map<string, FingerprintTerminal>();
  private readonly doors = new Map<string, DoorController>();
  private readonly passback = new PassbackTracker();
  private readonly zone: ZoneClock;
  /** Every event goes through it: written through, or held in order while the store cannot. */
  private readonly journal: EventJournal;
  private readonly deferred: DeferredOutbox;
  private anchor: WalAnchor | undefined;
  private walGuard: WalGuard | undefined;
  private pageLimit: PageLimitFault | undefined;
  private reloadTimer: unknown;
  private scheduleTimer: unknown;
  private checkpointer: Checkpointer | undefined;
  private dataVersion = 0;
  private sync: SiteSync | undefined;
  private readonly modes: DoorModes;
  private readonly readerStates = new ReaderStates();

  constructor(config: SiteConfig, deps: AccessdDeps) {
    this.config = config;
    this.deps = deps;
    this.log = deps.log.child({ site: config.site });
    this.zone = new ZoneClock(config.timezone);
    this.journal = new EventJournal({
      sink: () => this.store,
      clock: deps.clock,
      log: this.log.child({ module: "journal" }),
      options: { maxQueuedEvents: config.store.memoryQueueEvents },
      // A failed write may be a WAL that could not grow: a checkpoint may free it.
      writeFailed: () => this.checkpointer?.checkpointNow(),
      holdBacklog: () => this.walGuard?.holdBacklog() ?? false,
      // The status says when the store stops or starts taking writes again.
      changed: () => this.sync?.client.readersChanged(),
    });
    this.deferred = new DeferredOutbox(this.journal);
    this.modes = new DoorModes({
      doors: config.doors,
      index: () => this.holder?.current,
      controller: (id) => this.doors.get(id),
      zone: this.zone,
      clock: deps.clock,
    });
  }

  get index(): AccessIndex {
    if (!this.holder) throw new Error("accessd is not started");
    return this.holder.current;
  }

  /** The newest outbox events, newest first (for tools and tests). */
  recentEvents(limit: number): OutboxEvent[] {
    return this.store?.events({ limit, newestFirst: true }) ?? [];
  }

  door(id: string): DoorController | undefined {
    return this.doors.get(id);
  }

  bus(id: string): BridgeBus | OsdpBus | undefined {
    return this.buses.get(id);
  }

  /** Whether the store takes writes, and what waits in memory meanwhile (for the status). */
  storeHealth(): StoreHealth & { readonly walBytes: number } {
    return { ...this.journal.health(), walBytes: this.walGuard?.walBytes() ?? 0 };
  }

  async start(): Promise<void> {
    const { config, deps } = this;
    // Opening needs no free byte on the disk (see WalAnchor): a full disk does not stop it.
    const store = openStore(config.store.path, { log: this.log });
    this.store = store;
    if (store.prepareOutboxEpoch())
      this.log.info({ outboxEpoch: store.outboxEpoch() }, "outbox epoch of this run");
    this.anchor = WalAnchor.hold(config.store.path);
    if (config.store.pageLimitFile) {
      this.pageLimit = new PageLimitFault(config.store.pageLimitFile, this.log);
      this.pageLimit.apply(store.db);
    }
    this.journal.start();
    const checkpointMs = deps.checkpointMs ?? config.store.checkpointMs;
    const walLimitBytes = config.store.walLimitBytes;
    store.db.pragma(`journal_size_limit = ${Math.min(walLimitBytes, 64 * 1024 * 1024)}`);
    // Checkpoints copy the WAL into the database file and fsync it: never inside a commit
    // on the card-to-relay path, but from a worker thread (Checkpointer), from the start,
    // so that the WAL is bounded also while the index is being built.
    if (checkpointMs > 0) {
      store.db.pragma("wal_autocheckpoint = 0");
      const checkpointer = new Checkpointer(config.store.path, this.log);
      checkpointer.start({ intervalMs: checkpointMs, walLimitBytes });
      this.checkpointer = checkpointer;
      this.walGuard = new WalGuard({
        path: config.store.path,
        limitBytes: walLimitBytes,
        clock: deps.clock,
        log: this.log,
        checkpointNow: () => checkpointer.checkpointNow(),
      });
    }
    const started = deps.clock.now();
    // Load the time zone's offsets up front, so no decision pays for the first lookup.
    const wall = deps.clock.wallMs();
    this.zone.preload(wall - 86_400_000, wall + 2 * 366 * 86_400_000);
    this.holder = new IndexHolder(await this.buildIndex());
    this.dataVersion = this.readDataVersion();
    this.log.info(
      {
        stateVersion: this.holder.current.version,
        buildMs: Math.round(deps.clock.now() - started),
      },
      "decision index built",
    );
    if (this.holder.current.site && this.holder.current.site !== config.site) {
      this.log.error(
        { storeSite: this.holder.current.site },
        "the store holds another site's state; refusing it",
      );
    }
    const wiring: BusWiring = {
      config,
      clock: deps.clock,
      log: this.log,
      transportFor: deps.transportFor,
      record: (type, payload) => this.record(type, {}, payload),
      readerHealth: (bus, address, state) => this.readerHealth(bus, address, state),
      onInput: (busId, input, active, address) => this.onInput(busId, input, active, address),
    };
    for (const bus of config.buses) this.buses.set(bus.id, createReaderBus(bus, wiring));
    this.terminals = createTerminals(config, this.buses, deps.clock, deps.terminals);
    this.createDoors();
    this.modes.apply();
    this.record("accessd-started", {}, { stateVersion: this.holder.current.version });
    for (const bus of this.buses.values()) await bus.start();
    this.armReload();
    this.armSchedules();
    if (config.sync) this.startSync(config.sync);
  }

  async stop(): Promise<void> {
    await this.sync?.stop();
    this.sync = undefined;
    for (const timer of [this.reloadTimer, this.scheduleTimer]) {
      if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    }
    this.reloadTimer = undefined;
    this.scheduleTimer = undefined;
    for (const door of this.doors.values()) door.stop();
    for (const bus of this.buses.values()) await bus.stop();
    if (this.store) {
      this.record("accessd-stopped", {}, {});
      this.deferred.flush();
      if (!this.journal.flush()) {
        this.log.error(
          { ...this.journal.health() },
          "store still unwritable at stop; the events held in memory are lost",
        );
      }
      this.journal.stop();
      await this.checkpointer?.stop();
      this.checkpointer = undefined;
      this.walGuard = undefined;
      this.store.close();
      this.store = undefined;
      this.anchor?.release();
      this.anchor = undefined;
    }
  }

  /** The sync client's figures (for tools and tests); undefined without a sync section. */
  syncStats() {
    return this.sync?.client.stats();
  }

  private startSync(config: NonNullable<SiteConfig["sync"]>): void {
    const holder = this.holder as IndexHolder;
    this.sync = new SiteSync(
      {
        site: this.config.site,
        store: this.store as Store,
        events: this.journal,
        holder,
        clock: this.deps.clock,
        log: this.log,
        edgeKey: this.config.edgeKey as SigningKey,
        buildIndex: () => this.buildIndex(true),
        indexSwapped: () => this.modes.apply(),
        door: (id) => this.doors.get(id),
        setLockdown: (on, reason) => {
          this.modes.setLockdown(on);
          this.log.warn({ on, reason }, "lockdown by central");
          this.record("lockdown", {}, { on, reason });
          this.modes.apply();
        },
        setCommandedMode: (doorId, mode) => {
          this.modes.setCommandedMode(doorId, mode);
          this.modes.apply();
        },
        readers: () => this.readerStates.list(),
        storeHealth: () => {
          const health = this.journal.health();
          return { unwritable: !health.writable, queued: health.queued, dropped: health.dropped };
        },
      },
      config,
    );
    this.sync.start();
  }

  private readerHealth(bus: string, address: number | undefined, state: string): void {
    this.readerStates.set(bus, address, state);
    this.sync?.client.readersChanged();
  }

  /** Rebuilds the index from the store and swaps it in between two decisions. */
  async reloadIndex(): Promise<void> {
    if (!this.store || !this.holder) return;
    const started = this.deps.clock.now();
    // Built on other threads: the doors keep deciding on the current index meanwhile.
    const next = await this.buildIndex(true);
    if (!this.holder) return;
    this.holder.swap(next);
    this.modes.apply();
    this.record(
      "state-loaded",
      {},
      { stateVersion: next.version, buildMs: Math.round(this.deps.clock.now() - started) },
    );
    this.log.info({ stateVersion: next.version }, "decision index swapped");
  }

  private async buildIndex(offThread = false): Promise<AccessIndex> {
    const db = (this.store as Store).db;
    const path = this.config.store.path;
    const index = offThread
      ? await buildAccessIndexOffThread(db, path)
      : await buildAccessIndexParallel(db, path);
    for (const problem of index.problems)
      this.log.error({ problem }, "state problem; the affected access is refused");
    return index;
  }

  private record(
    type: string,
    where: { doorId?: string; readerId?: string },
    payload: object,
  ): void {
    this.deferred.add({ at: this.deps.clock.wallMs(), type, ...where, payload });
  }

  private createDoors(): void {
    const doors = createDoors({
      config: this.config,
      store: this.store as Store,
      holder: this.holder as IndexHolder,
      events: this.journal,
      passback: this.passback,
      clock: this.deps.clock,
      zone: this.zone,
      log: this.log,
      buses: this.buses,
      terminals: this.terminals,
      record: (type, where, payload) => this.record(type, where, payload),
    });
    for (const [id, door] of doors) this.doors.set(id, door);
  }

  private onInput(busId: string, input: number, active: boolean, address?: number): void {
    const at = (point: DoorConfig["contact"]) =>
      point?.bus === busId && point.number === input && point.address === address;
    for (const door of this.config.doors) {
      const controller = this.doors.get(door.id);
      if (!controller) continue;
      if (at(door.contact)) controller.contact(active);
      if (at(door.rex) && active) controller.requestToExit();
    }
  }

  private armSchedules(): void {
    this.scheduleTimer = this.deps.clock.setTimeout(() => {
      this.modes.evaluateSchedules();
      this.armSchedules();
    }, 15_000);
  }

  private readDataVersion(): number {
    return (this.store?.db.pragma("data_version", { simple: true }) as number | undefined) ?? 0;
  }

  /** Another process (accessctl import or enroll) committed: load what changed. */
  private armReload(): void {
    this.reloadTimer = this.deps.clock.setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reloadIfChanged().finally(() => {
        if (this.store) this.armReload();
      });
    }, this.deps.reloadCheckMs ?? 250);
  }

  private async reloadIfChanged(): Promise<void> {
    try {
      if (this.store) this.pageLimit?.apply(this.store.db);
      const version = this.readDataVersion();
      if (version === this.dataVersion || !this.store || !this.holder) return;
      this.dataVersion = version;
      if ((this.store.stateVersion() ?? 0) !== this.holder.current.version)
        await this.reloadIndex();
      else this.holder.swap(rebuildEnrollments(this.holder.current, this.store.db));
    } catch (err) {
      this.log.error(
        { err: (err as Error).message },
        "reloading the state failed; deciding on the last good state",
      );
    }
  }
}
