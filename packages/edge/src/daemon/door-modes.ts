import type { AccessIndex } from "../access-index/access-index.js";
import type { Clock } from "../clock.js";
import type { DoorConfig } from "../config/site-config.js";
import type { DoorController } from "../door/door-controller.js";
import type { ZoneClock } from "../schedule/local-time.js";

export interface DoorModesDeps {
  readonly doors: readonly DoorConfig[];
  /** The current decision index; undefined before the daemon has started. */
  readonly index: () => AccessIndex | undefined;
  readonly controller: (doorId: string) => DoorController | undefined;
  readonly zone: ZoneClock;
  readonly clock: Clock;
}

/**
 * Which mode every door is in: central's lockdown over its commanded modes, over
 * its door policies, over the site config's; then the policies' unlock schedules.
 */
export class DoorModes {
  private readonly deps: DoorModesDeps;
  /** Central's lockdown command: every door locked down until it is lifted. */
  private lockdown = false;
  /** Door modes set by central's commands, over the door policies. */
  private readonly commandedModes = new Map<string, DoorController["mode"]>();

  constructor(deps: DoorModesDeps) {
    this.deps = deps;
  }

  setLockdown(on: boolean): void {
    this.lockdown = on;
  }

  setCommandedMode(doorId: string, mode: DoorController["mode"]): void {
    this.commandedModes.set(doorId, mode);
  }

  /** Sets every door's mode and schedule state (after every index swap or command). */
  apply(): void {
    const index = this.deps.index();
    if (!index) return;
    for (const door of this.deps.doors) {
      const policy = index.doorPolicies.get(door.id);
      const commanded = this.commandedModes.get(door.id);
      const [mode, by] = this.lockdown
        ? (["lockdown", "central lockdown"] as const)
        : commanded
          ? ([commanded, "central command"] as const)
          : policy
            ? ([policy.mode, "central policy"] as const)
            : ([door.mode, "site config"] as const);
      this.deps.controller(door.id)?.setMode(mode, by);
    }
    this.evaluateSchedules();
  }

  /** Opens or closes the doors whose policy has an unlock schedule, at the site's local time. */
  evaluateSchedules(): void {
    const index = this.deps.index();
    if (!index) return;
    const local = this.deps.zone.local(this.deps.clock.wallMs());
    for (const door of this.deps.doors) {
      const schedule = index.doorPolicies.get(door.id)?.unlockSchedule;
      this.deps.controller(door.id)?.setScheduleUnlocked(schedule ? schedule.isOpen(local) : false);
    }
  }
}
