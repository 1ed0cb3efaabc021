import type { LedControl } from "../../src/messages/index.js";

/** OSDP.Net ReaderLedControlsTest: both records are this one with another reader and LED. */
export function osdpNetLed(reader: number, led: number): LedControl {
  return {
    reader,
    led,
    temporary: {
      controlCode: 2,
      onTime100ms: 1,
      offTime100ms: 2,
      onColor: 6,
      offColor: 0,
      timer100ms: 4,
    },
    permanent: { controlCode: 1, onTime100ms: 2, offTime100ms: 6, onColor: 4, offColor: 3 },
  };
}
