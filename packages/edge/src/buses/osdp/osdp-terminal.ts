import type { Reply } from "@acs/osdp";
import type { Clock } from "../../clock.js";
import type { FingerprintOutcome } from "../../decision/decide.js";
import type { FingerprintTerminal } from "../../fingerprint/terminal.js";
import type { OsdpBus } from "./osdp-bus.js";

/** BIOREADR / BIOMATCHR status 0x00: success; anything else is no usable finger. */
const BIO_SUCCESS = 0x00;

export interface OsdpTerminalOptions {
  readonly id: string;
  readonly bus: OsdpBus;
  readonly address: number;
  readonly clock: Clock;
  /** Biometric type (0x00: the PD's default finger) and format (0x00: the PD's own template). */
  readonly bioType?: number;
  readonly bioFormat?: number;
  readonly qualityThreshold?: number;
}

/**
 * A fingerprint terminal on an OSDP bus. The edge sends the enrolled template with
 * osdp_BIOMATCH; the terminal waits for the finger and matches it itself, and its score
 * comes back as osdp_BIOMATCHR, on a poll or at once. The template crosses the bus only
 * inside the secure channel.
 */
export class OsdpFingerprintTerminal implements FingerprintTerminal {
  readonly id: string;
  private readonly o: OsdpTerminalOptions;

  constructor(options: OsdpTerminalOptions) {
    this.id = options.id;
    this.o = options;
  }

  async verify(request: { template: Uint8Array; timeoutMs: number }): Promise<FingerprintOutcome> {
    const reply = await this.exchange(
      {
        kind: "biomatch",
        reader: 0,
        bioType: this.o.bioType ?? 0,
        bioFormat: this.o.bioFormat ?? 0,
        qualityThreshold: this.o.qualityThreshold ?? 50,
        template: request.template,
      },
      "biomatchr",
      request.timeoutMs,
    );
    if (reply?.kind !== "biomatchr" || reply.status !== BIO_SUCCESS) return { kind: "timeout" };
    return { kind: "match", score: reply.score };
  }

  async capture(request: { timeoutMs: number }): Promise<Uint8Array | undefined> {
    const reply = await this.exchange(
      {
        kind: "bioread",
        reader: 0,
        bioType: this.o.bioType ?? 0,
        bioFormat: this.o.bioFormat ?? 0,
        quality: 50,
      },
      "bioreadr",
      request.timeoutMs,
    );
    if (reply?.kind !== "bioreadr" || reply.status !== BIO_SUCCESS) return undefined;
    return reply.template;
  }

  /** Sends the command and waits for the reply of `kind`, whether direct or on a later poll. */
  private exchange(
    command: Parameters<OsdpBus["send"]>[1],
    kind: "biomatchr" | "bioreadr",
    timeoutMs: number,
  ): Promise<Reply | undefined> {
    const { bus, address, clock } = this.o;
    return new Promise((resolve) => {
      let timer: unknown;
      const done = (reply: Reply | undefined) => {
        bus.off("reply", listener);
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve(reply);
      };
      const listener = (from: number, reply: Reply) => {
        if (from === address && reply.kind === kind) done(reply);
      };
      bus.on("reply", listener);
      // The PD's wait for the finger plus the bus's time to fetch the answer.
      timer = clock.setTimeout(() => {
        void bus.send(address, { kind: "abort" }, true);
        done(undefined);
      }, timeoutMs + 500);
      void bus.send(address, command, true).then((reply) => {
        if (reply === undefined) done(undefined);
        else if (reply.kind === kind) done(reply);
      });
    });
  }
}
