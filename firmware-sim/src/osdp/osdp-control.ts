import { BridgeModelError } from "../bridge/errors.js";
import { type CardBitsRule, cardBits } from "../control/card-bits.js";
import { ControlError, type ControlRequest, field } from "../control/control-protocol.js";
import { CardReaderPd } from "./card-reader.js";
import { TemplateError } from "./fingerprint.js";
import { FingerprintTerminalPd } from "./fingerprint-terminal.js";
import { IoModulePd } from "./io-module.js";
import type { PdOutputEvent } from "./pd-base.js";
import { MAX_CARD_BITS, RAW_FORMAT } from "./spec.js";

/** Raw `present` bits: as many as osdp_RAW carries at card data format compliance 1. */
const CARD_BITS: CardBitsRule = {
  maxBits: MAX_CARD_BITS,
  badBitsMessage: `present: bits must be 1..${MAX_CARD_BITS} of 0/1`,
};

/** A simulated PD, by kind. */
export type OsdpSimPd = CardReaderPd | FingerprintTerminalPd | IoModulePd;

export interface OsdpControlTarget {
  /** The simulated PD at an OSDP address (0..126), if any. */
  pd(address: number): OsdpSimPd | undefined;
}

/**
 * The NDJSON control commands for the simulated OSDP PDs. Each names the PD by its OSDP
 * `address`:
 *
 * - `present` {address, format, fields} or {address, bits, rawFormat?}: a card on a reader;
 *   `format` is a built-in Wiegand format (e.g. "H10301") with its field values, `bits` a raw
 *   0/1 string; `rawFormat` "wiegand" (default, osdp_RAW format 0x01) or "raw" (0x00).
 * - `keys` {address, digits}: keys pressed on a reader's keypad ('0'..'9', '*', '#').
 * - `finger` {address, fingerId}: a finger on a fingerprint terminal's sensor.
 * - `input` {address, input, active}: an I/O module's input contact.
 * - `tamper` {address, active}: any PD's tamper switch.
 * - `power` {address, failed}: any PD's mains power.
 * - `pd-state` {address}: what the PD shows and holds now.
 *
 * Output changes are not answers to commands: the models report them through their
 * `onOutput` callback; {@link outputEventLine} makes the event line to emit for one.
 */
export const OSDP_CONTROL_COMMANDS: ReadonlySet<string> = new Set([
  "present",
  "keys",
  "finger",
  "input",
  "tamper",
  "power",
  "pd-state",
]);

/** The NDJSON event line for an output change of the PD at `address`. */
export function outputEventLine(
  address: number,
  event: PdOutputEvent,
): Record<string, unknown> & PdOutputEvent & { readonly address: number } {
  return { ...event, address };
}

/** Executes the control requests of {@link OSDP_CONTROL_COMMANDS} against the simulated PDs. */
export class OsdpControl {
  readonly #target: OsdpControlTarget;

  constructor(target: OsdpControlTarget) {
    this.#target = target;
  }

  /** @throws {ControlError} UNKNOWN_COMMAND for a command not in {@link OSDP_CONTROL_COMMANDS}. */
  async handle(request: ControlRequest): Promise<Record<string, unknown>> {
    try {
      return this.#handle(request);
    } catch (err) {
      if (err instanceof BridgeModelError) throw new ControlError("BAD_REQUEST", err.message);
      if (err instanceof TemplateError) throw new ControlError(err.code, err.message);
      throw err;
    }
  }

  #handle(request: ControlRequest): Record<string, unknown> {
    switch (request.cmd) {
      case "present": {
        const pd = this.#pd(request, CardReaderPd, "a card reader");
        const bits = cardBits(request, CARD_BITS);
        const rawFormat = field<string>(request, "rawFormat", "string", "wiegand");
        if (rawFormat !== "wiegand" && rawFormat !== "raw") {
          throw new ControlError("BAD_REQUEST", 'present: rawFormat is "wiegand" or "raw"');
        }
        const format = rawFormat === "raw" ? RAW_FORMAT.RAW : RAW_FORMAT.WIEGAND;
        return queued(pd.presentCard(bits, format), { bits });
      }
      case "keys": {
        const pd = this.#pd(request, CardReaderPd, "a keypad");
        return queued(pd.pressKeys(field<string>(request, "digits", "string")), {});
      }
      case "finger": {
        const pd = this.#pd(request, FingerprintTerminalPd, "a fingerprint sensor");
        const result = pd.presentFinger(field<string>(request, "fingerId", "string"));
        if (result.operation !== "none") queued(result.queued, {});
        return { ...result };
      }
      case "input": {
        const pd = this.#pd(request, IoModulePd, "inputs");
        const changed = pd.setInput(
          field<number>(request, "input", "number"),
          field<boolean>(request, "active", "boolean"),
        );
        return { changed };
      }
      case "tamper": {
        const pd = this.#anyPd(request);
        return { changed: pd.setTamper(field<boolean>(request, "active", "boolean")) };
      }
      case "power": {
        const pd = this.#anyPd(request);
        return { changed: pd.setPowerFailure(field<boolean>(request, "failed", "boolean")) };
      }
      case "pd-state":
        return pdState(this.#anyPd(request));
      default:
        throw new ControlError("UNKNOWN_COMMAND", `unknown command "${request.cmd}"`);
    }
  }

  #anyPd(request: ControlRequest): OsdpSimPd {
    const address = field<number>(request, "address", "number");
    const pd = this.#target.pd(address);
    if (!pd) throw new ControlError("NO_SUCH_PD", `${request.cmd}: no PD at address ${address}`);
    return pd;
  }

  #pd<T extends OsdpSimPd>(
    request: ControlRequest,
    kind: abstract new (...args: never[]) => T,
    what: string,
  ): T {
    const pd = this.#anyPd(request);
    if (!(pd instanceof kind)) {
      throw new ControlError(
        "UNSUPPORTED",
        `${request.cmd}: the PD at ${request.address} has no ${what}`,
      );
    }
    return pd;
  }
}

function queued(ok: boolean, result: Record<string, unknown>): Record<string, unknown> {
  if (!ok) throw new ControlError("QUEUE_FULL", "the PD's event queue is full: the event was lost");
  return result;
}

/** What the PD shows and holds now, for `pd-state`. */
export function pdState(pd: OsdpSimPd): Record<string, unknown> {
  const common: Record<string, unknown> = {
    kind:
      pd instanceof FingerprintTerminalPd
        ? "fingerprint-terminal"
        : pd instanceof CardReaderPd
          ? "card-reader"
          : "io-module",
    tamper: pd.tamper,
    powerFailure: pd.powerFailure,
    pendingEvents: pd.pendingEvents,
    eventOverflows: pd.eventOverflows,
  };
  if (pd instanceof IoModulePd) {
    return { ...common, outputs: pd.outputStates(), inputs: pd.inputStates() };
  }
  const reader = {
    ...common,
    leds: pd.ledColors(),
    buzzer: pd.buzzerOn,
    text: pd.displayText ?? null,
  };
  if (pd instanceof FingerprintTerminalPd) {
    return { ...reader, bioOperation: pd.armedOperation ?? null };
  }
  return reader;
}
