import type { CentralCommands } from "../state/commands.js";
import type { IamLog } from "./companies/service.js";
import { DEFAULT_IAM_CONFIG, type IamConfig } from "./config.js";
import type { IamDb } from "./db.js";
import { WorkingDays } from "./working-days.js";

/**
 * What every IAM workflow service runs on. State changes that reach the doors go through
 * `commands` INSIDE the IAM command's transaction (the same SQLite connection: the state
 * change, its site deltas, the IAM rows and the audit commit together or not at all).
 */
export interface IamContext {
  readonly db: IamDb;
  readonly commands: CentralCommands;
  readonly clock: { now(): number };
  readonly config: IamConfig;
  readonly workingDays: WorkingDays;
  readonly log: IamLog | undefined;
  /**
   * Call after a command committed: deltas are published now rather than at the next poll,
   * timers scheduled by it are armed, notifications drained.
   */
  committed(): void;
  /** Adds a listener of `committed` (the sync service, the timer runner). */
  onCommitted(listener: () => void): void;
}

export interface IamContextOptions {
  readonly db: IamDb;
  readonly commands: CentralCommands;
  readonly clock: { now(): number };
  readonly config?: Partial<IamConfig>;
  readonly log?: IamLog;
}

export function createIamContext(options: IamContextOptions): IamContext {
  const config = { ...DEFAULT_IAM_CONFIG, ...options.config };
  const listeners: (() => void)[] = [];
  return {
    db: options.db,
    commands: options.commands,
    clock: options.clock,
    config,
    workingDays: new WorkingDays(config.timezone, config.holidayTypes),
    log: options.log,
    committed() {
      for (const listener of listeners) listener();
    },
    onCommitted(listener) {
      listeners.push(listener);
    },
  };
}
