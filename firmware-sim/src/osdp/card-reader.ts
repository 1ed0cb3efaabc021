import { CAPABILITY } from "@acs/osdp";
import { InvalidArgumentError } from "../bridge/errors.js";
import type { Capability, Command, Reply } from "./osdp-types.js";
import { PdBase, type PdBaseOptions } from "./pd-base.js";
import { ReaderIndicators } from "./reader-indicators.js";
import {
  ACK,
  COMPLIANCE,
  type LedColorName,
  type LinkCapabilityOptions,
  linkCapabilities,
  MAX_CARD_BITS,
  RAW_FORMAT,
} from "./spec.js";

export interface CardReaderOptions extends PdBaseOptions {
  /** LEDs on the reader. Default 1. */
  readonly leds?: number;
  /** A text display of one row of 16 characters (osdp_TEXT). Default true. */
  readonly display?: boolean;
  /** What the link layer supports, advertised in PDCAP. */
  readonly link?: LinkCapabilityOptions;
}

/** The one reader of the device. */
export const READER = 0;
const DISPLAY = { rows: 1, columns: 16 } as const;

/**
 * What a card reader advertises. The reader monitors one contact, its tamper switch, reported
 * by LSTATR when it changes and by ISTATR (one input) when asked.
 */
export function cardReaderCapabilities(options: CardReaderOptions): Capability[] {
  const { leds = 1, display = true } = options;
  return [
    { functionCode: CAPABILITY.CONTACT_STATUS_MONITORING, compliance: 1, numberOf: 1 },
    {
      functionCode: CAPABILITY.CARD_DATA_FORMAT,
      compliance: COMPLIANCE.CARD_DATA_BITS,
      numberOf: 0,
    },
    {
      functionCode: CAPABILITY.READER_LED_CONTROL,
      compliance: COMPLIANCE.LED_TIMED_TRICOLOR,
      numberOf: leds,
    },
    {
      functionCode: CAPABILITY.READER_AUDIBLE_OUTPUT,
      compliance: COMPLIANCE.AUDIBLE_TIMED,
      numberOf: 1,
    },
    ...(display
      ? [
          {
            functionCode: CAPABILITY.READER_TEXT_OUTPUT,
            compliance: COMPLIANCE.TEXT_1_ROW_16,
            numberOf: 1,
          },
        ]
      : []),
    { functionCode: CAPABILITY.READERS, compliance: 0, numberOf: 1 },
    ...linkCapabilities(options.link),
  ];
}

/**
 * An OSDP card reader with keypad (reader number 0): cards and keys become RAW and KEYPAD
 * events; osdp_LED, osdp_BUZ and osdp_TEXT drive its LEDs, buzzer and display; LSTAT, ISTAT
 * (the tamper contact) and RSTAT are answered. OUT and OSTAT are NAKed 0x03 (no outputs).
 */
export class CardReaderPd extends PdBase {
  readonly #indicators: ReaderIndicators;

  /**
   * @param moreCapabilities - records a device built on this reader adds to PDCAP (the
   *   fingerprint terminal's biometrics).
   */
  constructor(options: CardReaderOptions, moreCapabilities: readonly Capability[] = []) {
    super(options, [...cardReaderCapabilities(options), ...moreCapabilities]);
    this.#indicators = new ReaderIndicators({
      clock: options.clock,
      readers: 1,
      ledsPerReader: options.leds ?? 1,
      display: (options.display ?? true) ? DISPLAY : undefined,
      onOutput: (event) => this.output(event),
    });
  }

  /**
   * A card read: queues osdp_RAW with the bits packed MSB first (the last byte padded with
   * zeros). `format` 0x01 (default): Wiegand bits with parity; 0x00: raw bits.
   * @returns false when the event queue was full and the read was lost.
   */
  presentCard(bits: string, format: number = RAW_FORMAT.WIEGAND): boolean {
    if (!new RegExp(`^[01]{1,${MAX_CARD_BITS}}$`).test(bits)) {
      throw new InvalidArgumentError("bits", bits, `1..${MAX_CARD_BITS} characters 0/1`);
    }
    if (format !== RAW_FORMAT.RAW && format !== RAW_FORMAT.WIEGAND) {
      throw new InvalidArgumentError("format", format, "0x00 (raw) or 0x01 (Wiegand)");
    }
    return this.queueEvent({
      kind: "raw",
      reader: READER,
      format,
      bitCount: bits.length,
      data: packBits(bits),
    });
  }

  /**
   * Keys pressed on the keypad ('0'..'9', '*', '#'): queues one osdp_KEYPAD.
   * @returns false when the event queue was full and the keys were lost.
   */
  pressKeys(digits: string): boolean {
    if (!/^[0-9*#]{1,255}$/.test(digits)) {
      throw new InvalidArgumentError("digits", digits, "1..255 of 0-9, * and #");
    }
    return this.queueEvent({ kind: "keypad", reader: READER, digits });
  }

  /** The colour each LED shows, by LED number. */
  ledColors(): LedColorName[] {
    return this.#indicators.ledColors(READER);
  }

  get buzzerOn(): boolean {
    return this.#indicators.buzzerOn(READER);
  }

  /** What the display shows (trailing blanks removed); undefined without a display. */
  get displayText(): string | undefined {
    return this.#indicators.text(READER);
  }

  stop(): void {
    this.#indicators.stop();
  }

  protected handleDevice(command: Command): Reply | undefined {
    switch (command.kind) {
      case "istat":
        return { kind: "istatr", inputs: [this.tamper ? 1 : 0] };
      case "rstat":
        // The reader is the device itself: always connected, its tamper is local status.
        return { kind: "rstatr", readers: [0] };
      case "led":
        return this.#indicators.handleLed(command.leds);
      case "buz":
        return this.#indicators.handleBuzzer(command);
      case "text":
        return this.#indicators.handleText(command);
      case "abort":
        return ACK; // nothing in progress to abort
      default:
        return undefined;
    }
  }
}

/** '0'/'1' characters to bytes, first bit in the most significant bit of the first byte. */
export function packBits(bits: string): Uint8Array {
  const data = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) {
    if (bits.charCodeAt(i) === 0x31) data[i >>> 3]! |= 0x80 >>> (i & 7);
  }
  return data;
}
