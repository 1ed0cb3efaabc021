import { NAK_CODES } from "@acs/osdp";
import { beforeEach, describe, expect, it } from "vitest";
import type { SimClock, TimerHandle } from "../src/clock.js";
import { CardReaderPd } from "../src/osdp/card-reader.js";
import type { LedControl } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { led, outputEvents, steady } from "./support/osdp-pd.js";

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: CardReaderPd;
let t0: number;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new CardReaderPd({ clock: time.clock, onOutput: (e) => outputs.push(e) });
  t0 = time.clock.nowUs();
});

const MS = 1000;

/** LED changes as [colour, µs since t0]. */
const ledEvents = () => outputEvents(outputs, "led", (e) => [e.color], t0);

describe("CardReaderPd: LED", () => {
  it("shows a permanent colour and reports each effective change once", () => {
    expect(pd.ledColors()).toEqual(["off"]);
    expect(pd.handle({ kind: "led", leds: [led({ permanent: steady(1) })] })).toEqual(ACK);
    expect(pd.handle({ kind: "led", leds: [led({ permanent: steady(1) })] })).toEqual(ACK);
    expect(pd.ledColors()).toEqual(["red"]);
    expect(outputs).toEqual([{ event: "led", reader: 0, led: 0, color: "red", atUs: t0 }]);
    // on 0 / off 0: the on colour; only an off time: the off colour
    pd.handle({ kind: "led", leds: [led({ permanent: { controlCode: 1, onColor: 2 } })] });
    expect(pd.ledColors()).toEqual(["green"]);
    pd.handle({
      kind: "led",
      leds: [led({ permanent: { controlCode: 1, offTime100ms: 5, onColor: 2, offColor: 7 } })],
    });
    expect(pd.ledColors()).toEqual(["white"]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("names all eight colours", () => {
    const names: string[] = [];
    for (let c = 7; c >= 0; c--) {
      pd.handle({ kind: "led", leds: [led({ permanent: steady(c) })] });
      names.push(pd.ledColors()[0]!);
    }
    expect(names).toEqual(["white", "cyan", "magenta", "blue", "amber", "green", "red", "off"]);
  });

  it("runs a temporary flash for its timer, then shows the permanent state again", () => {
    pd.handle({ kind: "led", leds: [led({ permanent: steady(1) })] });
    outputs = [];
    const temporary = {
      controlCode: 2,
      onTime100ms: 2,
      offTime100ms: 3,
      onColor: 2,
      offColor: 0,
      timer100ms: 12,
    };
    pd.handle({ kind: "led", leds: [led({ temporary })] });
    time.advanceUs(1_199_999);
    expect(pd.ledColors()).toEqual(["green"]); // 1.0 s..1.2 s is the third on phase
    time.advanceUs(1);
    expect(ledEvents()).toEqual([
      ["green", 0],
      ["off", 200 * MS],
      ["green", 500 * MS],
      ["off", 700 * MS],
      ["green", 1000 * MS],
      ["red", 1200 * MS],
    ]);
    expect(pd.ledColors()).toEqual(["red"]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("ends a temporary flash cleanly even when simultaneous timers fire newest first", () => {
    // A hand-written clock that, unlike fake-timers, fires timers due at the same time in
    // reverse order of arming: the flash edge at 1.2 s now comes before the end of the state.
    let nowUs = 0;
    let nextId = 0;
    const timers = new Map<number, { dueUs: number; fn: () => void }>();
    const clock: SimClock = {
      nowUs: () => nowUs,
      setTimeout: (fn, ms) => {
        timers.set(++nextId, { dueUs: nowUs + ms * 1000, fn });
        return nextId as unknown as TimerHandle;
      },
      clearTimeout: (handle) => void timers.delete(handle as unknown as number),
    };
    const advanceTo = (targetUs: number) => {
      for (;;) {
        const due = [...timers].filter(([, t]) => t.dueUs <= targetUs);
        if (due.length === 0) break;
        due.sort(([ia, a], [ib, b]) => a.dueUs - b.dueUs || ib - ia);
        const [id, timer] = due[0]!;
        timers.delete(id);
        nowUs = timer.dueUs;
        timer.fn();
      }
      nowUs = targetUs;
    };
    const seen: [string, number][] = [];
    const reader = new CardReaderPd({
      clock,
      onOutput: (e) => {
        if (e.event === "led") seen.push([e.color, e.atUs]);
      },
    });
    reader.handle({ kind: "led", leds: [led({ permanent: steady(1) })] });
    reader.handle({
      kind: "led",
      leds: [
        led({
          temporary: {
            controlCode: 2,
            onTime100ms: 2,
            offTime100ms: 3,
            onColor: 2,
            offColor: 0,
            timer100ms: 12,
          },
        }),
      ],
    });
    advanceTo(5_000_000);
    expect(seen).toEqual([
      ["red", 0],
      ["green", 0],
      ["off", 200 * MS],
      ["green", 500 * MS],
      ["off", 700 * MS],
      ["green", 1000 * MS],
      ["red", 1200 * MS],
    ]);
    expect(timers.size).toBe(0);
  });

  it("flashes a permanent pattern until told otherwise", () => {
    pd.handle({
      kind: "led",
      leds: [
        led({
          permanent: { controlCode: 1, onTime100ms: 5, offTime100ms: 5, onColor: 3, offColor: 4 },
        }),
      ],
    });
    time.advanceUs(2_000_000);
    expect(ledEvents()).toEqual([
      ["amber", 0],
      ["blue", 500 * MS],
      ["amber", 1000 * MS],
      ["blue", 1500 * MS],
      ["amber", 2000 * MS],
    ]);
    pd.handle({ kind: "led", leds: [led({ permanent: steady(0) })] });
    expect(time.pendingTimers()).toBe(0);
    expect(pd.ledColors()).toEqual(["off"]);
  });

  it("cancels a temporary state with control code 1", () => {
    pd.handle({ kind: "led", leds: [led({ permanent: steady(1) })] });
    pd.handle({
      kind: "led",
      leds: [led({ temporary: { controlCode: 2, onTime100ms: 1, onColor: 2, timer100ms: 50 } })],
    });
    time.advanceUs(1_000_000);
    pd.handle({ kind: "led", leds: [led({ temporary: { controlCode: 1 } })] });
    expect(pd.ledColors()).toEqual(["red"]);
    expect(ledEvents()).toEqual([
      ["red", 0],
      ["green", 0],
      ["red", 1000 * MS],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("keeps a new permanent state behind a running temporary one until it ends", () => {
    pd.handle({
      kind: "led",
      leds: [led({ temporary: { controlCode: 2, onTime100ms: 1, onColor: 2, timer100ms: 10 } })],
    });
    pd.handle({ kind: "led", leds: [led({ permanent: steady(1) })] });
    expect(pd.ledColors()).toEqual(["green"]);
    time.advanceUs(1_000_000);
    expect(pd.ledColors()).toEqual(["red"]);
    expect(ledEvents()).toEqual([
      ["green", 0],
      ["red", 1000 * MS],
    ]);
  });

  it("sets permanent and temporary states in one record; a zero timer shows the permanent", () => {
    pd.handle({
      kind: "led",
      leds: [
        led({
          permanent: steady(1),
          temporary: { controlCode: 2, onTime100ms: 1, onColor: 6, timer100ms: 3 },
        }),
      ],
    });
    expect(pd.ledColors()).toEqual(["cyan"]);
    time.advanceUs(300_000);
    expect(pd.ledColors()).toEqual(["red"]);
    pd.handle({
      kind: "led",
      leds: [led({ temporary: { controlCode: 2, onTime100ms: 1, onColor: 6, timer100ms: 0 } })],
    });
    expect(pd.ledColors()).toEqual(["red"]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("NAKs 0x09 a record for a reader, LED, control code or colour it does not have", () => {
    const bad: LedControl[] = [
      led({ reader: 1, permanent: steady(1) }),
      led({ led: 1, permanent: steady(1) }),
      led({ permanent: { controlCode: 2 } }),
      led({ temporary: { controlCode: 3 } }),
      led({ permanent: steady(8) }),
      led({ temporary: { controlCode: 2, onColor: 1, offColor: 9, timer100ms: 1 } }),
    ];
    for (const record of bad) {
      expect(pd.handle({ kind: "led", leds: [record] })).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    }
    // one bad record refuses the whole command
    expect(
      pd.handle({
        kind: "led",
        leds: [led({ permanent: steady(2) }), led({ led: 5, permanent: steady(1) })],
      }),
    ).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(pd.ledColors()).toEqual(["off"]);
    expect(outputs).toEqual([]);
  });

  it("drives each LED of a two-LED reader", () => {
    const two = new CardReaderPd({ clock: time.clock, leds: 2, onOutput: (e) => outputs.push(e) });
    expect(
      two.handle({
        kind: "led",
        leds: [led({ led: 1, permanent: steady(2) }), led({ permanent: steady(1) })],
      }),
    ).toEqual(ACK);
    expect(two.ledColors()).toEqual(["red", "green"]);
    expect(outputs.map((e) => e.event === "led" && [e.led, e.color])).toEqual([
      [1, "green"],
      [0, "red"],
    ]);
  });
});
