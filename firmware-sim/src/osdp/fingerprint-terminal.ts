import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { DeadlineTimer } from "../bridge/deadline-timer.js";
import { InvalidArgumentError } from "../bridge/errors.js";
import { type CardReaderOptions, CardReaderPd, READER } from "./card-reader.js";
import {
  type CaptureNoise,
  captureFinger,
  DEFAULT_NOISE,
  decodeTemplate,
  type Minutia,
  matchScore,
  type Rng,
  seededRng,
} from "./fingerprint.js";
import type { Command, Reply } from "./osdp-types.js";
import { ACK, BIO_FORMAT, BIO_STATUS, BIO_TYPE, COMPLIANCE, nak } from "./spec.js";

export interface FingerprintTerminalOptions extends CardReaderOptions {
  /** Randomness of each capture. Default: seeded from the serial number, so runs repeat. */
  readonly rng?: Rng;
  readonly noise?: CaptureNoise;
  /** How long BIOREAD waits for a finger before BIOREADR reports a timeout. Default 10 s. */
  readonly readTimeoutMs?: number;
  /** How long BIOMATCH waits for a finger before BIOMATCHR reports a timeout. Default 10 s. */
  readonly matchTimeoutMs?: number;
}

export const DEFAULT_BIO_TIMEOUT_MS = 10_000;

/** What happened to a presented finger. */
export interface FingerResult {
  /** The operation the finger completed, or "none" when no BIOREAD/BIOMATCH was waiting. */
  readonly operation: "read" | "match" | "none";
  /** False when the event queue was full and the result was lost. */
  readonly queued: boolean;
  /** The match score, for "match". */
  readonly score?: number;
  /** The capture quality, for "read". */
  readonly quality?: number;
}

type Armed =
  | { readonly kind: "read"; readonly reader: number; readonly bioType: number }
  | {
      readonly kind: "match";
      readonly reader: number;
      readonly bioType: number;
      readonly template: readonly Minutia[];
    };

/**
 * A card reader with a fingerprint sensor (biometrics, function code 14). osdp_BIOREAD and
 * osdp_BIOMATCH are ACKed at once and then wait for a finger (`presentFinger`) or their timeout:
 * the result comes as a BIOREADR / BIOMATCHR event. One operation at a time: a new one replaces
 * the waiting one, and osdp_ABORT cancels it, in both cases without a reply for it.
 *
 * Supported: bio types 0x00 (not specified) and the ten fingers 0x01..0x0A (else NAK 0x07); bio
 * format 0x00 only, the terminal's own minutiae template (see fingerprint.ts; PGM images and
 * ANSI/INCITS 378 templates are NAKed 0x08). The quality fields of the commands are not used:
 * every capture is taken and its quality reported, and the CP judges the match score.
 */
export class FingerprintTerminalPd extends CardReaderPd {
  readonly #rng: Rng;
  readonly #noise: CaptureNoise;
  readonly #readTimeoutMs: number;
  readonly #matchTimeoutMs: number;
  readonly #timer: DeadlineTimer;
  #armed: Armed | undefined;

  constructor(options: FingerprintTerminalOptions) {
    super(options, [
      {
        functionCode: CAPABILITY.BIOMETRICS,
        compliance: COMPLIANCE.BIO_FINGERPRINT_TEMPLATE_1,
        numberOf: 1,
      },
    ]);
    this.#rng = options.rng ?? seededRng(this.identification.serialNumber);
    this.#noise = options.noise ?? DEFAULT_NOISE;
    this.#readTimeoutMs = options.readTimeoutMs ?? DEFAULT_BIO_TIMEOUT_MS;
    this.#matchTimeoutMs = options.matchTimeoutMs ?? DEFAULT_BIO_TIMEOUT_MS;
    for (const [name, ms] of [
      ["readTimeoutMs", this.#readTimeoutMs],
      ["matchTimeoutMs", this.#matchTimeoutMs],
    ] as const) {
      if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError(name, ms, "> 0");
    }
    this.#timer = new DeadlineTimer(this.clock, () => this.#timedOut());
  }

  /** The operation waiting for a finger, if any. */
  get armedOperation(): "read" | "match" | undefined {
    return this.#armed?.kind;
  }

  /**
   * A finger on the sensor. Completes the waiting BIOREAD (BIOREADR with the template) or
   * BIOMATCH (BIOMATCHR with the score against the CP's template); ignored when none waits.
   */
  presentFinger(fingerId: string): FingerResult {
    if (fingerId.length === 0) throw new InvalidArgumentError("fingerId", fingerId, "non-empty");
    const armed = this.#armed;
    if (!armed) return { operation: "none", queued: false };
    this.#disarm();
    const capture = captureFinger(fingerId, this.#rng, this.#noise);
    if (armed.kind === "read") {
      const queued = this.queueEvent({
        kind: "bioreadr",
        reader: armed.reader,
        status: BIO_STATUS.SUCCESS,
        bioType: armed.bioType,
        quality: capture.quality,
        template: capture.template,
      });
      return { operation: "read", queued, quality: capture.quality };
    }
    const score = matchScore(capture.minutiae, armed.template);
    const queued = this.queueEvent({
      kind: "biomatchr",
      reader: armed.reader,
      status: BIO_STATUS.SUCCESS,
      score,
    });
    return { operation: "match", queued, score };
  }

  override stop(): void {
    super.stop();
    this.#timer.cancel();
  }

  protected override handleDevice(command: Command): Reply | undefined {
    switch (command.kind) {
      case "bioread": {
        const refused = this.#refuse(command.reader, command.bioType, command.bioFormat);
        if (refused) return refused;
        this.#arm({ kind: "read", reader: command.reader, bioType: command.bioType });
        return ACK;
      }
      case "biomatch": {
        const refused = this.#refuse(command.reader, command.bioType, command.bioFormat);
        if (refused) return refused;
        let template: Minutia[];
        try {
          template = decodeTemplate(command.template);
        } catch {
          return nak(NAK_CODES.UNABLE_TO_PROCESS);
        }
        this.#arm({ kind: "match", reader: command.reader, bioType: command.bioType, template });
        return ACK;
      }
      case "abort":
        this.#disarm();
        return ACK;
      default:
        return super.handleDevice(command);
    }
  }

  #refuse(reader: number, bioType: number, bioFormat: number): Reply | undefined {
    if (reader !== READER) return nak(NAK_CODES.UNABLE_TO_PROCESS);
    if (!(bioType >= BIO_TYPE.NOT_SPECIFIED && bioType <= BIO_TYPE.LEFT_LITTLE)) {
      return nak(NAK_CODES.BIO_TYPE);
    }
    if (bioFormat !== BIO_FORMAT.NOT_SPECIFIED) return nak(NAK_CODES.BIO_FORMAT);
    return undefined;
  }

  #arm(operation: Armed): void {
    this.#disarm();
    this.#armed = operation;
    const ms = operation.kind === "read" ? this.#readTimeoutMs : this.#matchTimeoutMs;
    this.#timer.armAt(this.clock.nowUs() + ms * 1000);
  }

  #disarm(): void {
    this.#armed = undefined;
    this.#timer.cancel();
  }

  #timedOut(): void {
    const armed = this.#armed;
    if (!armed) return;
    this.#armed = undefined;
    if (armed.kind === "read") {
      this.queueEvent({
        kind: "bioreadr",
        reader: armed.reader,
        status: BIO_STATUS.TIMEOUT,
        bioType: armed.bioType,
        quality: 0,
        template: new Uint8Array(0),
      });
    } else {
      this.queueEvent({
        kind: "biomatchr",
        reader: armed.reader,
        status: BIO_STATUS.TIMEOUT,
        score: 0,
      });
    }
  }
}
