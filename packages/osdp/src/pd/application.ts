import type { Capability, Command, PdIdentification, Reply } from "../messages/types.js";

/**
 * What a peripheral device does, behind the OSDP link layer. The PD state machine
 * (peripheral.ts) owns addressing, sequence numbers, reply caching, the secure channel,
 * KEYSET and COMSET; everything a device is for (cards, LEDs, outputs, fingers) is here.
 */
export interface PdApplication {
  /** Answers osdp_ID. */
  readonly identification: PdIdentification;
  /** Answers osdp_CAP; the PD must not NAK anything it advertises. */
  readonly capabilities: readonly Capability[];
  /**
   * Any command other than POLL, ID, CAP, CHLNG, SCRYPT, KEYSET and COMSET. Returns the
   * reply: ACK, a status reply, or NAK with the code the specification gives (e.g. 0x09
   * "unable to process" for an LED or output number the device does not have).
   */
  handle(command: Command): Reply;
  /**
   * On POLL: the oldest pending event reply (RAW card data, KEYPAD, BIOREADR, BIOMATCHR,
   * LSTATR on a tamper change, ISTATR on an input change) or undefined to answer ACK.
   * The PD state machine takes it only when it can send it, so an event is not lost
   * when a reply is retried.
   */
  nextEvent(): Reply | undefined;
}
