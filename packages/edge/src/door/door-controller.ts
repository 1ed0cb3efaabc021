import type { Clock } from "../clock.js";
import type { DoorMode } from "../state/model.js";

/** What a door controller drives: the lock relay and the reader's LED/buzzer. */
export interface DoorIo {
  /** Releases the strike for `ms` (the board ends the pulse itself, even if the edge dies). */
  pulseLock(ms: number): void;
  /** Holds the strike released (true) or secures it (false). */
  holdLock(released: boolean): void;
  signal(kind: "grant" | "deny" | "wait-finger"): void;
}

export interface DoorTiming {
  /** How long a grant releases the strike. */
  readonly strikeMs: number;
  /** Secure the lock as soon as the door closes again after an authorized opening. */
  readonly relockOnClose: boolean;
  /** Door open this long after an authorized opening: pre-alarm; then alarm. */
  readonly heldOpenPreAlarmMs: number;
  readonly heldOpenAlarmMs: number;
  /** Request-to-exit releases the strike; otherwise it only authorizes the opening. */
  readonly rexUnlocks: boolean;
}

export type DoorEventType =
  | "door-opened"
  | "door-closed"
  | "lock-released"
  | "lock-secured"
  | "door-held-open-prealarm"
  | "door-held-open-alarm"
  | "door-held-open-cleared"
  | "door-forced-open"
  | "door-forced-open-cleared"
  | "request-to-exit"
  | "interlock-blocked"
  | "mode-changed";

export interface DoorEvent {
  readonly type: DoorEventType;
  readonly doorId: string;
  readonly at: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A mantrap: a door of the group may open only while every other one is shut and locked. */
export interface Interlock {
  othersSecure(doorId: string): boolean;
}

export interface DoorControllerOptions {
  readonly id: string;
  readonly timing: DoorTiming;
  readonly io: DoorIo;
  readonly clock: Clock;
  /** Every change of the door, to the outbox first. */
  readonly emit: (event: DoorEvent) => void;
  readonly interlock?: Interlock;
  readonly initialMode?: DoorMode;
}

type Alarm = "none" | "prealarm" | "held-open" | "forced";

/**
 * The state machine of one door: releases the strike on a grant or request-to-exit,
 * relocks when the door closes, raises held-open (pre-alarm, alarm) and forced-open
 * alarms, keeps a mode (card, card + fingerprint, unlocked, locked, lockdown) and honours
 * an interlock. It never decides who may pass: decide() does, and hands it grants.
 */
export class DoorController {
  readonly id: string;
  private readonly options: DoorControllerOptions;
  private currentMode: DoorMode;
  private open = false;
  private released = false;
  /** Until this time an opening of the door is expected (strike time after a grant or REX). */
  private authorizedUntil = Number.NEGATIVE_INFINITY;
  private alarm: Alarm = "none";
  private timers: { release?: unknown; prealarm?: unknown; alarm?: unknown } = {};
  /** The scheduled-unlock schedule holds the door unlocked right now. */
  private scheduleUnlocked = false;

  constructor(options: DoorControllerOptions) {
    this.options = options;
    this.id = options.id;
    this.currentMode = options.initialMode ?? "card";
  }

  get mode(): DoorMode {
    return this.currentMode;
  }

  get state(): { open: boolean; released: boolean; alarm: Alarm; mode: DoorMode } {
    return { open: this.open, released: this.released, alarm: this.alarm, mode: this.currentMode };
  }

  /** Shut and locked: what an interlock partner waits for. */
  get secure(): boolean {
    return !this.open && !this.released;
  }

  /** A decided grant: releases the strike unless the interlock forbids it now. */
  grant(cause: "card" | "remote" = "card"): boolean {
    if (this.options.interlock && !this.options.interlock.othersSecure(this.id)) {
      this.emit("interlock-blocked", { cause });
      this.options.io.signal("deny");
      return false;
    }
    // The strike first: the reader's green light can follow a few bytes later.
    this.releaseFor(this.options.timing.strikeMs, cause);
    this.options.io.signal("grant");
    return true;
  }

  /** Reader feedback without a door action (a refusal, waiting for a finger). */
  signal(kind: "grant" | "deny" | "wait-finger"): void {
    this.options.io.signal(kind);
  }

  requestToExit(): void {
    this.emit("request-to-exit", { unlocks: this.options.timing.rexUnlocks });
    if (this.options.interlock && !this.options.interlock.othersSecure(this.id)) {
      this.emit("interlock-blocked", { cause: "request-to-exit" });
      return;
    }
    if (this.options.timing.rexUnlocks)
      this.releaseFor(this.options.timing.strikeMs, "request-to-exit");
    else this.authorizedUntil = this.now() + this.options.timing.strikeMs;
  }

  /** The door contact changed (true = open). */
  contact(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    const now = this.now();
    if (open) {
      this.emit("door-opened");
      if (this.freelyPassable()) return;
      if (now < this.authorizedUntil) {
        this.armHeldOpen();
        return;
      }
      this.alarm = "forced";
      this.emit("door-forced-open");
      return;
    }
    this.emit("door-closed");
    this.clearHeldOpen();
    if (this.alarm === "forced") this.emit("door-forced-open-cleared");
    this.alarm = "none";
    this.authorizedUntil = Number.NEGATIVE_INFINITY;
    if (this.released && this.options.timing.relockOnClose && !this.freelyPassable())
      this.secureLock("door closed");
  }

  /** Central's policy, a command (lockdown) or the site config sets the mode. */
  setMode(mode: DoorMode, by: string): void {
    if (mode === this.currentMode) return;
    const previous = this.currentMode;
    this.currentMode = mode;
    this.emit("mode-changed", { from: previous, to: mode, by });
    this.applyMode();
  }

  /** The door's unlock schedule opened or closed (checked by the owner each minute). */
  setScheduleUnlocked(unlocked: boolean): void {
    if (unlocked === this.scheduleUnlocked) return;
    this.scheduleUnlocked = unlocked;
    this.emit("mode-changed", { scheduledUnlock: unlocked, by: "schedule" });
    this.applyMode();
  }

  stop(): void {
    for (const handle of Object.values(this.timers))
      if (handle !== undefined) this.options.clock.clearTimeout(handle);
    this.timers = {};
  }

  private freelyPassable(): boolean {
    return this.currentMode === "unlocked" || (this.scheduleUnlocked && this.normalMode());
  }

  private normalMode(): boolean {
    return this.currentMode === "card" || this.currentMode === "card-and-fingerprint";
  }

  private applyMode(): void {
    if (this.freelyPassable()) {
      this.clearHeldOpen();
      if (this.alarm !== "forced") this.alarm = "none";
      if (!this.released) {
        this.released = true;
        this.options.io.holdLock(true);
        this.emit("lock-released", { cause: "mode" });
      }
      return;
    }
    // Locked, lockdown, or back to normal: secure now, whatever was released.
    this.authorizedUntil = Number.NEGATIVE_INFINITY;
    if (this.released) this.secureLock("mode");
  }

  private releaseFor(ms: number, cause: string): void {
    const now = this.now();
    this.authorizedUntil = now + ms;
    if (this.freelyPassable()) return;
    this.released = true;
    this.options.io.pulseLock(ms);
    this.emit("lock-released", { cause, ms });
    this.clearTimer("release");
    this.timers.release = this.options.clock.setTimeout(() => {
      this.timers.release = undefined;
      // The board ended the pulse itself; only our view changes.
      if (this.released && !this.freelyPassable()) {
        this.released = false;
        this.emit("lock-secured", { cause: "strike time over" });
      }
    }, ms);
  }

  private secureLock(cause: string): void {
    this.clearTimer("release");
    this.released = false;
    this.options.io.holdLock(false);
    this.emit("lock-secured", { cause });
  }

  private armHeldOpen(): void {
    const { heldOpenPreAlarmMs, heldOpenAlarmMs } = this.options.timing;
    this.clearHeldOpen();
    this.timers.prealarm = this.options.clock.setTimeout(() => {
      this.timers.prealarm = undefined;
      this.alarm = "prealarm";
      this.emit("door-held-open-prealarm", { afterMs: heldOpenPreAlarmMs });
    }, heldOpenPreAlarmMs);
    this.timers.alarm = this.options.clock.setTimeout(() => {
      this.timers.alarm = undefined;
      this.alarm = "held-open";
      this.emit("door-held-open-alarm", { afterMs: heldOpenAlarmMs });
    }, heldOpenAlarmMs);
  }

  private clearHeldOpen(): void {
    const wasAlarm = this.alarm === "prealarm" || this.alarm === "held-open";
    this.clearTimer("prealarm");
    this.clearTimer("alarm");
    if (wasAlarm) {
      this.alarm = "none";
      this.emit("door-held-open-cleared");
    }
  }

  private clearTimer(name: "release" | "prealarm" | "alarm"): void {
    const handle = this.timers[name];
    if (handle !== undefined) this.options.clock.clearTimeout(handle);
    this.timers[name] = undefined;
  }

  private emit(type: DoorEventType, detail?: Record<string, unknown>): void {
    this.options.emit({
      type,
      doorId: this.id,
      at: this.options.clock.wallMs(),
      ...(detail ? { detail } : {}),
    });
  }

  private now(): number {
    return this.options.clock.now();
  }
}

/** Doors of one mantrap, by id; each asks the others before it releases. */
export class InterlockGroup implements Interlock {
  private readonly doors = new Map<string, { secure: boolean }>();

  add(door: { id: string; secure: boolean }): void {
    this.doors.set(door.id, door);
  }

  othersSecure(doorId: string): boolean {
    for (const [id, door] of this.doors) if (id !== doorId && !door.secure) return false;
    return true;
  }
}
