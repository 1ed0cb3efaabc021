import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { encode, H10301 } from "@acs/wiegand";
import { beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../src/bridge/errors.js";
import type { SimClock, TimerHandle } from "../src/clock.js";
import { CardReaderPd, packBits } from "../src/osdp/card-reader.js";
import { EventQueue } from "../src/osdp/event-queue.js";
import type { Command, LedControl, Reply } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";
import { DEFAULT_LINK_CAPABILITIES, drain, led, outputEvents, steady } from "./support/osdp-pd.js";

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

describe("CardReaderPd: identification and capabilities", () => {
  it("advertises one reader with its LED, buzzer, display, tamper contact and the link", () => {
    expect(pd.capabilities).toEqual([
      { functionCode: CAPABILITY.CONTACT_STATUS_MONITORING, compliance: 1, numberOf: 1 },
      { functionCode: CAPABILITY.CARD_DATA_FORMAT, compliance: 1, numberOf: 0 },
      { functionCode: CAPABILITY.READER_LED_CONTROL, compliance: 4, numberOf: 1 },
      { functionCode: CAPABILITY.READER_AUDIBLE_OUTPUT, compliance: 2, numberOf: 1 },
      { functionCode: CAPABILITY.READER_TEXT_OUTPUT, compliance: 1, numberOf: 1 },
      { functionCode: CAPABILITY.READERS, compliance: 0, numberOf: 1 },
      ...DEFAULT_LINK_CAPABILITIES,
    ]);
    expect(pd.handle({ kind: "cap" })).toEqual({ kind: "pdcap", capabilities: pd.capabilities });
    expect(pd.handle({ kind: "id" })).toEqual({ kind: "pdid", ...pd.identification });
    expect(pd.handle({ kind: "poll" })).toEqual(ACK);
  });

  it("follows its options: LED count, no display, link without CRC or secure channel", () => {
    const other = new CardReaderPd({
      clock: time.clock,
      leds: 2,
      display: false,
      link: { crc: false, secureChannel: false, receiveBufferSize: 0x1234 },
    });
    const byCode = new Map(other.capabilities.map((c) => [c.functionCode, c]));
    expect(byCode.get(CAPABILITY.READER_LED_CONTROL)?.numberOf).toBe(2);
    expect(byCode.has(CAPABILITY.READER_TEXT_OUTPUT)).toBe(false);
    expect(byCode.get(CAPABILITY.CHECK_CHARACTER)?.compliance).toBe(0);
    expect(byCode.get(CAPABILITY.COMMUNICATION_SECURITY)).toMatchObject({
      compliance: 0,
      numberOf: 0,
    });
    expect(byCode.get(CAPABILITY.RECEIVE_BUFFER_SIZE)).toMatchObject({
      compliance: 0x34,
      numberOf: 0x12,
    });
    expect(
      other.handle({
        kind: "text",
        reader: 0,
        command: 1,
        tempTextSeconds: 0,
        row: 1,
        column: 1,
        text: "x",
      }),
    ).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
  });
});

describe("CardReaderPd: cards and keys", () => {
  it("queues a presented card as osdp_RAW, Wiegand format, bits packed MSB first", () => {
    const bits = encode(H10301, { facility: 123, card: 4567 });
    expect(pd.presentCard(bits)).toBe(true);
    const reply = pd.nextEvent();
    expect(reply).toEqual({
      kind: "raw",
      reader: 0,
      format: 0x01,
      bitCount: 26,
      data: packBits(bits),
    });
    expect(pd.nextEvent()).toBeUndefined();
  });

  it("packs bits MSB first and pads the last byte with zeros", () => {
    expect([...packBits("1")]).toEqual([0x80]);
    expect([...packBits("10100101" + "11")]).toEqual([0xa5, 0xc0]);
    expect([...packBits("0000000100000001")]).toEqual([0x01, 0x01]);
  });

  it("queues raw bits with format 0x00 and takes up to 1024 bits", () => {
    pd.presentCard("1".repeat(1024), 0x00);
    const reply = pd.nextEvent();
    expect(reply).toMatchObject({ kind: "raw", format: 0x00, bitCount: 1024 });
    expect(reply?.kind === "raw" && reply.data.every((b) => b === 0xff)).toBe(true);
  });

  it("refuses what is not a card", () => {
    for (const bits of ["", "0102", "1".repeat(1025)]) {
      expect(() => pd.presentCard(bits)).toThrow(InvalidArgumentError);
    }
    expect(() => pd.presentCard("1010", 2)).toThrow(InvalidArgumentError);
    expect(pd.pendingEvents).toBe(0);
  });

  it("queues keys as osdp_KEYPAD", () => {
    pd.pressKeys("1234#");
    pd.pressKeys("*");
    expect(drain(pd)).toEqual([
      { kind: "keypad", reader: 0, digits: "1234#" },
      { kind: "keypad", reader: 0, digits: "*" },
    ]);
    expect(() => pd.pressKeys("12a")).toThrow(InvalidArgumentError);
    expect(() => pd.pressKeys("")).toThrow(InvalidArgumentError);
  });
});

describe("CardReaderPd: status", () => {
  it("answers LSTAT, and queues LSTATR on each tamper or power change only", () => {
    expect(pd.handle({ kind: "lstat" })).toEqual({ kind: "lstatr", tamper: 0, power: 0 });
    expect(pd.setTamper(true)).toBe(true);
    expect(pd.setTamper(true)).toBe(false);
    expect(pd.handle({ kind: "lstat" })).toEqual({ kind: "lstatr", tamper: 1, power: 0 });
    pd.setPowerFailure(true);
    pd.setTamper(false);
    pd.setPowerFailure(false);
    expect(drain(pd)).toEqual([
      { kind: "lstatr", tamper: 1, power: 0 },
      { kind: "lstatr", tamper: 1, power: 1 },
      { kind: "lstatr", tamper: 0, power: 1 },
      { kind: "lstatr", tamper: 0, power: 0 },
    ]);
  });

  it("answers ISTAT with its one contact, the tamper switch, and RSTAT with its reader", () => {
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [0] });
    pd.setTamper(true);
    expect(pd.handle({ kind: "istat" })).toEqual({ kind: "istatr", inputs: [1] });
    expect(pd.handle({ kind: "rstat" })).toEqual({ kind: "rstatr", readers: [0] });
  });

  it("NAKs 0x03 what a reader does not do, and ACKs ACURXSIZE and ABORT", () => {
    const unknown: Command[] = [
      { kind: "ostat" },
      { kind: "out", outputs: [{ output: 0, controlCode: 2, timer100ms: 0 }] },
      { kind: "bioread", reader: 0, bioType: 0, bioFormat: 0, quality: 0 },
      {
        kind: "biomatch",
        reader: 0,
        bioType: 0,
        bioFormat: 0,
        qualityThreshold: 0,
        template: new Uint8Array(3),
      },
      { kind: "filetransfer", fileType: 1, totalSize: 1, offset: 0, data: new Uint8Array(1) },
      { kind: "mfg", vendorCode: new Uint8Array(3), data: new Uint8Array(0) },
      { kind: "keepactive", keepAliveMs: 1000 },
      { kind: "chlng", rndA: new Uint8Array(8) },
      { kind: "keyset", keyType: 1, key: new Uint8Array(16) },
      { kind: "comset", address: 1, baudRate: 9600 },
    ];
    for (const command of unknown) {
      expect(pd.handle(command), command.kind).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
    }
    expect(pd.handle({ kind: "acurxsize", maxReceiveSize: 128 })).toEqual(ACK);
    expect(pd.handle({ kind: "abort" })).toEqual(ACK);
  });
});

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

describe("CardReaderPd: buzzer", () => {
  const buz = (toneCode: number, on: number, off: number, count: number, reader = 0): Command => ({
    kind: "buz",
    reader,
    toneCode,
    onTime100ms: on,
    offTime100ms: off,
    count,
  });
  const buzzerEvents = () => outputEvents(outputs, "buzzer", (e) => [e.on], t0);

  it("beeps count times with the default tone", () => {
    expect(pd.handle(buz(2, 2, 1, 3))).toEqual(ACK);
    time.advanceUs(10_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 200 * MS],
      [true, 300 * MS],
      [false, 500 * MS],
      [true, 600 * MS],
      [false, 800 * MS],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("sounds until told otherwise with count 0, and stops on tone code 1 or 0", () => {
    pd.handle(buz(2, 1, 0, 0));
    time.advanceUs(60_000_000);
    expect(pd.buzzerOn).toBe(true);
    expect(time.pendingTimers()).toBe(0);
    pd.handle(buz(1, 0, 0, 0));
    expect(pd.buzzerOn).toBe(false);
    pd.handle(buz(2, 1, 1, 0));
    time.advanceUs(250_000);
    pd.handle(buz(0, 0, 0, 0));
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 60_000 * MS],
      [true, 60_000 * MS],
      [false, 60_100 * MS],
      [true, 60_200 * MS],
      [false, 60_250 * MS],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("sounds one continuous tone of count × on time when there is no off time", () => {
    pd.handle(buz(2, 3, 0, 2));
    time.advanceUs(1_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 600 * MS],
    ]);
  });

  it("stays silent with no on time, and a new command replaces the running one", () => {
    pd.handle(buz(2, 0, 5, 3));
    expect(pd.buzzerOn).toBe(false);
    pd.handle(buz(2, 10, 10, 0));
    time.advanceUs(500_000);
    pd.handle(buz(2, 1, 1, 1));
    time.advanceUs(5_000_000);
    expect(buzzerEvents()).toEqual([
      [true, 0],
      [false, 600 * MS],
    ]);
  });

  it("NAKs 0x09 another reader or an unknown tone code", () => {
    expect(pd.handle(buz(2, 1, 1, 1, 1))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(pd.handle(buz(3, 1, 1, 1))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(outputs).toEqual([]);
  });
});

describe("CardReaderPd: text", () => {
  const text = (command: number, row: number, column: number, t: string, seconds = 0): Command => ({
    kind: "text",
    reader: 0,
    command,
    tempTextSeconds: seconds,
    row,
    column,
    text: t,
  });
  const textEvents = () => outputEvents(outputs, "text", (e) => [e.text], t0);

  it("writes permanent text at a column over what is there, cut at 16 characters", () => {
    expect(pd.handle(text(1, 1, 1, "READY"))).toEqual(ACK);
    expect(pd.handle(text(1, 1, 7, "PRESENT CARD NOW"))).toEqual(ACK);
    expect(pd.displayText).toBe("READY PRESENT CA");
    expect(pd.handle(text(2, 1, 16, "XYZ"))).toEqual(ACK); // wrap, but there is no second row
    expect(pd.displayText).toBe("READY PRESENT CX");
    expect(textEvents()).toEqual([
      ["READY", 0],
      ["READY PRESENT CA", 0],
      ["READY PRESENT CX", 0],
    ]);
  });

  it("shows temporary text on a blank display for its seconds, then the permanent text", () => {
    pd.handle(text(1, 1, 1, "READY"));
    pd.handle(text(3, 1, 1, "GRANTED", 3));
    time.advanceUs(2_999_999);
    expect(pd.displayText).toBe("GRANTED");
    time.advanceUs(1);
    pd.handle(text(4, 1, 3, "X", 0)); // no time at all: nothing to see
    expect(textEvents()).toEqual([
      ["READY", 0],
      ["GRANTED", 0],
      ["READY", 3_000_000],
    ]);
    expect(time.pendingTimers()).toBe(0);
  });

  it("NAKs 0x09 a row, column, command or character the display does not have", () => {
    for (const command of [
      text(1, 2, 1, "A"),
      text(1, 0, 1, "A"),
      text(1, 1, 17, "A"),
      text(1, 1, 0, "A"),
      text(0, 1, 1, "A"),
      text(5, 1, 1, "A"),
      text(1, 1, 1, "caf\u00e9"),
      { ...text(1, 1, 1, "A"), reader: 1 },
    ]) {
      expect(pd.handle(command)).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    }
    expect(pd.displayText).toBe("");
  });
});

describe("CardReaderPd: events", () => {
  it("hands out many events oldest first without losing one", () => {
    const expected: Reply[] = [];
    for (let i = 0; i < pd.eventQueueCapacity; i++) {
      const bits = (i + 1).toString(2);
      expect(pd.presentCard(bits)).toBe(true);
      expected.push({
        kind: "raw",
        reader: 0,
        format: 1,
        bitCount: bits.length,
        data: packBits(bits),
      });
    }
    expect(pd.pendingEvents).toBe(64);
    expect(drain(pd)).toEqual(expected);
    expect(pd.eventOverflows).toBe(0);
  });

  it("refuses and counts events beyond its capacity, keeping the queued ones", () => {
    for (let i = 0; i < 64; i++) pd.pressKeys(String(i % 10));
    expect(pd.presentCard("1")).toBe(false);
    expect(pd.pressKeys("1")).toBe(false);
    expect(pd.setTamper(true)).toBe(true); // the tamper state changes even if its event is lost
    expect(pd.eventOverflows).toBe(3);
    const events = drain(pd);
    expect(events).toHaveLength(64);
    expect(events.map((e) => e.kind === "keypad" && e.digits).join("")).toBe(
      Array.from({ length: 64 }, (_, i) => String(i % 10)).join(""),
    );
    expect(pd.presentCard("1")).toBe(true);
  });

  it("keeps order across a long interleaving of queueing and polling", () => {
    let next = 0;
    let expected = 0;
    let peak = 0;
    for (let round = 0; round < 2000; round++) {
      for (let k = 0; k < 1 + (round % 5); k++) expect(pd.pressKeys(String(next++))).toBe(true);
      peak = Math.max(peak, pd.pendingEvents);
      for (let k = 0; k < 1 + ((round * 7) % 5); k++) {
        const e = pd.nextEvent();
        if (!e) break;
        expect(e).toEqual({ kind: "keypad", reader: 0, digits: String(expected++) });
      }
    }
    for (let e = pd.nextEvent(); e; e = pd.nextEvent()) {
      expect(e).toEqual({ kind: "keypad", reader: 0, digits: String(expected++) });
    }
    expect(expected).toBe(next);
    expect(peak).toBeGreaterThan(5);
    expect(pd.eventOverflows).toBe(0);
  });

  it("EventQueue wraps around its ring and peeks without removing", () => {
    const q = new EventQueue(3);
    const ack = (n: number): Reply => ({ kind: "keypad", reader: 0, digits: String(n) });
    for (let i = 0; i < 10; i++) {
      expect(q.push(ack(i))).toBe(true);
      expect(q.peek()).toEqual(ack(i));
      expect(q.shift()).toEqual(ack(i));
    }
    q.push(ack(1));
    q.push(ack(2));
    q.push(ack(3));
    expect(q.push(ack(4))).toBe(false);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([
      ack(1),
      ack(2),
      ack(3),
      undefined,
    ]);
    expect(q.overflows).toBe(1);
    expect(() => new EventQueue(0)).toThrow(RangeError);
  });
});

describe("CardReaderPd: stop", () => {
  it("clears every timer and reports nothing more", () => {
    pd.handle({
      kind: "led",
      leds: [led({ permanent: { controlCode: 1, onTime100ms: 1, offTime100ms: 1, onColor: 1 } })],
    });
    pd.handle({ kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 1, count: 0 });
    pd.handle({
      kind: "text",
      reader: 0,
      command: 3,
      tempTextSeconds: 5,
      row: 1,
      column: 1,
      text: "HI",
    });
    expect(time.pendingTimers()).toBe(3);
    pd.stop();
    expect(time.pendingTimers()).toBe(0);
    const before = outputs.length;
    time.advanceUs(10_000_000);
    expect(outputs).toHaveLength(before);
  });
});
