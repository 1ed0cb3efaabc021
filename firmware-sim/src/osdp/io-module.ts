import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { DeadlineTimer } from "../bridge/deadline-timer.js";
import { checkChannel } from "../bridge/errors.js";
import type { Capability, Command, OutputControl, Reply } from "./osdp-types.js";
import { PdBase, type PdBaseOptions } from "./pd-base.js";
import { ACK, COMPLIANCE, type LinkCapabilityOptions, linkCapabilities, nak } from "./spec.js";

export interface IoModuleOptions extends PdBaseOptions {
  /** Relay outputs, numbered from 0. Default 4. */
  readonly outputs?: number;
  /** Monitored inputs (door contact, request-to-exit, ...), numbered from 0. Default 4. */
  readonly inputs?: number;
  readonly link?: LinkCapabilityOptions;
}

/** osdp_OUT control codes. */
export const OUT_CODE = {
  NOP: 0,
  PERMANENT_OFF_ABORT_TIMED: 1,
  PERMANENT_ON_ABORT_TIMED: 2,
  PERMANENT_OFF_ALLOW_TIMED: 3,
  PERMANENT_ON_ALLOW_TIMED: 4,
  TEMPORARY_ON: 5,
  TEMPORARY_OFF: 6,
} as const;

const UNIT_US = 100_000;

export function ioModuleCapabilities(options: IoModuleOptions): Capability[] {
  const { outputs = 4, inputs = 4 } = options;
  return [
    {
      functionCode: CAPABILITY.CONTACT_STATUS_MONITORING,
      compliance: COMPLIANCE.CONTACT_STATUS_UNSUPERVISED,
      numberOf: inputs,
    },
    {
      functionCode: CAPABILITY.OUTPUT_CONTROL,
      compliance: COMPLIANCE.OUTPUT_TIMED,
      numberOf: outputs,
    },
    ...linkCapabilities(options.link),
  ];
}

/** One relay: a permanent state, and perhaps a timed state that shows until its timer ends. */
interface Relay {
  permanent: boolean;
  timed: boolean | undefined;
  on: boolean;
  readonly timer: DeadlineTimer;
}

/**
 * An OSDP input/output module: relay outputs driven by osdp_OUT, monitored inputs reported by
 * ISTATR (on osdp_ISTAT, and as an event whenever one changes), OSTATR with the relays' current
 * states, and the enclosure tamper as local status. It has no reader: LED, BUZ, TEXT and RSTAT
 * are NAKed 0x03.
 */
export class IoModulePd extends PdBase {
  readonly #relays: Relay[];
  readonly #inputs: boolean[];

  constructor(options: IoModuleOptions) {
    super(options, ioModuleCapabilities(options));
    const { outputs = 4, inputs = 4 } = options;
    for (const [name, value] of [
      ["outputs", outputs],
      ["inputs", inputs],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new RangeError(`${name} must be an integer 0..255, got ${value}`);
      }
    }
    this.#relays = Array.from({ length: outputs }, (_, i) => ({
      permanent: false,
      timed: undefined,
      on: false,
      timer: new DeadlineTimer(this.clock, (nowUs) => {
        this.#relays[i]!.timed = undefined;
        this.#update(i, nowUs);
      }),
    }));
    this.#inputs = new Array<boolean>(inputs).fill(false);
  }

  /**
   * An input's contact changed (true: active). A change queues ISTATR with every input.
   * @returns true when the input changed.
   * @throws {ChannelOutOfRangeError} for an input the module does not have.
   */
  setInput(input: number, active: boolean): boolean {
    checkChannel("input", input, this.#inputs.length);
    if (this.#inputs[input] === active) return false;
    this.#inputs[input] = active;
    this.queueEvent(this.#inputStatus());
    return true;
  }

  /** Active (true) or not, by input number. */
  inputStates(): boolean[] {
    return [...this.#inputs];
  }

  /** What each relay does now (true: energised), by output number. */
  outputStates(): boolean[] {
    return this.#relays.map((r) => r.on);
  }

  stop(): void {
    for (const relay of this.#relays) relay.timer.cancel();
  }

  protected handleDevice(command: Command): Reply | undefined {
    switch (command.kind) {
      case "out":
        return this.#out(command.outputs);
      case "istat":
        return this.#inputStatus();
      case "ostat":
        return { kind: "ostatr", outputs: this.#relays.map((r) => (r.on ? 1 : 0)) };
      case "abort":
        return ACK; // nothing in progress to abort; timed outputs are not "operations"
      default:
        return undefined;
    }
  }

  /** Every record is checked before any is applied: one bad record NAKs the whole command. */
  #out(records: readonly OutputControl[]): Reply {
    const ok = records.every(
      (r) =>
        Number.isInteger(r.output) &&
        r.output >= 0 &&
        r.output < this.#relays.length &&
        Number.isInteger(r.controlCode) &&
        r.controlCode >= OUT_CODE.NOP &&
        r.controlCode <= OUT_CODE.TEMPORARY_OFF,
    );
    if (!ok) return nak(NAK_CODES.UNABLE_TO_PROCESS);
    const nowUs = this.clock.nowUs();
    for (const record of records) this.#apply(record, nowUs);
    return ACK;
  }

  #apply({ output, controlCode, timer100ms }: OutputControl, nowUs: number): void {
    const relay = this.#relays[output]!;
    switch (controlCode) {
      case OUT_CODE.NOP:
        return;
      case OUT_CODE.PERMANENT_OFF_ABORT_TIMED:
      case OUT_CODE.PERMANENT_ON_ABORT_TIMED:
        relay.permanent = controlCode === OUT_CODE.PERMANENT_ON_ABORT_TIMED;
        relay.timed = undefined;
        relay.timer.cancel();
        break;
      case OUT_CODE.PERMANENT_OFF_ALLOW_TIMED:
      case OUT_CODE.PERMANENT_ON_ALLOW_TIMED:
        // A running timed state keeps showing; the new permanent state follows it.
        relay.permanent = controlCode === OUT_CODE.PERMANENT_ON_ALLOW_TIMED;
        break;
      default: {
        // 5 / 6: temporary state for the timer, replacing any timed state that runs. A zero
        // timer is a timed state already over: only the permanent state shows.
        relay.timer.cancel();
        if (timer100ms > 0) {
          relay.timed = controlCode === OUT_CODE.TEMPORARY_ON;
          relay.timer.armAt(nowUs + timer100ms * UNIT_US);
        } else {
          relay.timed = undefined;
        }
      }
    }
    this.#update(output, nowUs);
  }

  #update(output: number, atUs: number): void {
    const relay = this.#relays[output]!;
    const on = relay.timed ?? relay.permanent;
    if (on === relay.on) return;
    relay.on = on;
    this.output({ event: "relay", output, on, atUs });
  }

  #inputStatus(): Reply {
    return { kind: "istatr", inputs: this.#inputs.map((active) => (active ? 1 : 0)) };
  }
}
