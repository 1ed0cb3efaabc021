import type { BridgeBoard } from "../board/bridge-board.js";
import { type PulseTiming, playPulseTrain, pulseTrain } from "../bridge/pulse-train.js";
import type { SimClock } from "../clock.js";
import { type CardBitsRule, cardBits } from "./card-bits.js";
import { ControlError, type ControlRequest, field } from "./control-protocol.js";

export interface OutputChange {
  readonly event: "relay" | "led" | "buzzer";
  readonly atUs: number;
  readonly [key: string]: unknown;
}

export interface BridgeControlTarget {
  readonly board: BridgeBoard;
  readonly clock: SimClock;
  /** Cuts or restores the serial line in both directions. */
  setLineConnected(connected: boolean): void;
  lineConnected(): boolean;
  /** Writes raw bytes onto the serial line (to inject garbage). */
  inject(bytes: Uint8Array): void;
  history(): readonly OutputChange[];
}

const HID = { pulseUs: 50, intervalUs: 2000 };
/** Readers leave at least this between two cards (real ones leave far more). */
const MIN_CARD_SPACING_US = 5000;
const INPUT = { door: 0, rex: 1, tamper: 2 } as const;
/** Raw `present` bits: 1..256 of them. */
const CARD_BITS: CardBitsRule = { maxBits: 256, badBitsMessage: "present: bits must be 0/1" };

/** Executes one control request against the simulated bridge board. */
export class BridgeControl {
  private readonly target: BridgeControlTarget;
  /** Cards on one reader port are played one after the other, as a reader would. */
  private readonly portQueues = new Map<number, Promise<unknown>>();
  /** Per port, when the next card may start: a reader pauses between two reads. */
  private readonly nextCardUs = new Map<number, number>();

  constructor(target: BridgeControlTarget) {
    this.target = target;
  }

  async handle(request: ControlRequest): Promise<Record<string, unknown>> {
    const { board } = this.target;
    switch (request.cmd) {
      case "ping":
        return {};
      case "present":
        return this.present(request);
      case "rex": {
        const input = field<number>(request, "input", "number", INPUT.rex);
        const holdMs = field<number>(request, "holdMs", "number", 200);
        board.setInput(input, true);
        this.target.clock.setTimeout(() => board.setInput(input, false), holdMs);
        return {};
      }
      case "door":
        board.setInput(INPUT.door, field<boolean>(request, "open", "boolean"));
        return {};
      case "tamper":
        board.setInput(INPUT.tamper, field<boolean>(request, "active", "boolean"));
        return {};
      case "input":
        board.setInput(field(request, "input", "number"), field(request, "active", "boolean"));
        return {};
      case "line":
        this.target.setLineConnected(field<boolean>(request, "connected", "boolean"));
        return {};
      case "inject":
        this.target.inject(hexBytes(field<string>(request, "hex", "string")));
        return {};
      case "state":
        return {
          relays: board.relayStates(),
          inputs: board.inputStates(),
          feedback: board.feedbackStates(),
          welcomed: board.welcomed,
          lineConnected: this.target.lineConnected(),
          queueDepth: board.queueDepth,
          counters: board.counters,
        };
      case "history":
        return { changes: this.target.history() };
      default:
        throw new ControlError("UNKNOWN_COMMAND", `unknown command "${request.cmd}"`);
    }
  }

  private present(request: ControlRequest): Promise<Record<string, unknown>> {
    const port = field<number>(request, "port", "number", 0);
    const bits = cardBits(request, CARD_BITS);
    const timing = field<PulseTiming>(request, "timing", "object", HID);
    const train = pulseTrain(bits, { ...HID, ...timing });
    const previous = this.portQueues.get(port) ?? Promise.resolve();
    const played = previous.then(async () => {
      await this.sleepUntil(this.nextCardUs.get(port) ?? 0);
      let lastLateUs = 0;
      const board = this.target.board;
      const times = await playPulseTrain(
        train,
        this.target.clock,
        (line, atUs, widthUs) => {
          lastLateUs = this.target.clock.nowUs() - atUs;
          board.pulse(port, line, atUs, widthUs);
        },
        { onWire: (deliverDue) => board.attachWire(port, deliverDue) },
      ).finally(() => board.attachWire(port, undefined));
      // A reader cannot start the next card before the board has ended this one.
      await this.target.board.whenIdle(port);
      this.nextCardUs.set(
        port,
        times.lastPulseUs +
          Math.max(MIN_CARD_SPACING_US, 10 * (timing.intervalUs ?? HID.intervalUs)),
      );
      // How late the sim delivered the last pulse to the board model: its own scheduling
      // delay, reported so a benchmark can tell it from the line and the edge.
      return { bits, ...times, lastLateUs };
    });
    this.portQueues.set(
      port,
      played.catch(() => undefined),
    );
    return played;
  }

  private async sleepUntil(atUs: number): Promise<void> {
    const clock = this.target.clock;
    while (clock.nowUs() < atUs) {
      await new Promise<void>((resolve) =>
        clock.setTimeout(resolve, Math.max(1, Math.ceil((atUs - clock.nowUs()) / 1000))),
      );
    }
  }
}

function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(clean))
    throw new ControlError("BAD_REQUEST", "inject: hex must be bytes");
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}
