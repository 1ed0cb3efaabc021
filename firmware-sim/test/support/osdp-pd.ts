import { CAPABILITY } from "@acs/osdp";
import type { Capability, LedControl, Reply } from "../../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../../src/osdp/pd-base.js";

/** Every event the PD has queued for the CP, oldest first; its queue is then empty. */
export function drain(pd: { nextEvent(): Reply | undefined }): Reply[] {
  const events: Reply[] = [];
  for (let e = pd.nextEvent(); e; e = pd.nextEvent()) events.push(e);
  return events;
}

type OutputOf<K extends PdOutputEvent["event"]> = Extract<PdOutputEvent, { readonly event: K }>;

/**
 * The output events of one kind, each as what `values` picks from it followed by its time
 * in µs since `sinceUs`: e.g. `[color, µs]` for LED changes.
 */
export function outputEvents<K extends PdOutputEvent["event"], V extends unknown[] | []>(
  outputs: readonly PdOutputEvent[],
  event: K,
  values: (e: OutputOf<K>) => V,
  sinceUs: number,
): [...V, number][] {
  return outputs.flatMap((e) =>
    e.event === event ? [[...values(e as OutputOf<K>), e.atUs - sinceUs] as [...V, number]] : [],
  );
}

/**
 * The PDCAP records every simulated PD's link layer adds by default: CRC-16, AES-128 with
 * the default key accepted, a receive buffer of 256 bytes (compliance LSB 0x00, number-of
 * MSB 0x01), SIA OSDP 2.2.
 */
export const DEFAULT_LINK_CAPABILITIES: readonly Capability[] = [
  { functionCode: CAPABILITY.CHECK_CHARACTER, compliance: 1, numberOf: 0 },
  { functionCode: CAPABILITY.COMMUNICATION_SECURITY, compliance: 1, numberOf: 1 },
  { functionCode: CAPABILITY.RECEIVE_BUFFER_SIZE, compliance: 0x00, numberOf: 0x01 },
  { functionCode: CAPABILITY.OSDP_VERSION, compliance: 2, numberOf: 0 },
];

/** An LED record: NOP for what is not given. */
export function led(
  spec: {
    reader?: number;
    led?: number;
    temporary?: Partial<LedControl["temporary"]>;
    permanent?: Partial<LedControl["permanent"]>;
  } = {},
): LedControl {
  return {
    reader: spec.reader ?? 0,
    led: spec.led ?? 0,
    temporary: {
      controlCode: 0,
      onTime100ms: 0,
      offTime100ms: 0,
      onColor: 0,
      offColor: 0,
      timer100ms: 0,
      ...spec.temporary,
    },
    permanent: {
      controlCode: 0,
      onTime100ms: 0,
      offTime100ms: 0,
      onColor: 0,
      offColor: 0,
      ...spec.permanent,
    },
  };
}

/** A permanent state showing `color` steadily. */
export const steady = (color: number) => ({
  controlCode: 1,
  onTime100ms: 1,
  offTime100ms: 0,
  onColor: color,
});
