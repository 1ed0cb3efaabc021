import { CAPABILITY, NAK_CODES } from "@acs/osdp";
import { beforeEach, describe, expect, it } from "vitest";
import {
  captureFinger,
  captureTemplate,
  decodeTemplate,
  encodeTemplate,
  fingerMinutiae,
  MAX_MINUTIAE,
  type Minutia,
  matchScore,
  seededRng,
  TEMPLATE_MAGIC,
  TEMPLATE_VERSION,
  TemplateError,
} from "../src/osdp/fingerprint.js";
import { FingerprintTerminalPd } from "../src/osdp/fingerprint-terminal.js";
import type { Command, Reply } from "../src/osdp/osdp-types.js";
import type { PdOutputEvent } from "../src/osdp/pd-base.js";
import { ACK, BIO_STATUS, nak } from "../src/osdp/spec.js";
import { createFakeTime, type FakeTime } from "./fake-clock.js";

describe("fingerprint templates", () => {
  it("derives 30..40 well-spread minutiae from the finger id, the same every time", () => {
    const a = fingerMinutiae("alice-right-index");
    expect(fingerMinutiae("alice-right-index")).toEqual(a);
    expect(fingerMinutiae("alice-right-middle")).not.toEqual(a);
    for (const id of ["alice-right-index", "bob-left-thumb", "x", "émile-9"]) {
      const m = fingerMinutiae(id);
      expect(m.length).toBeGreaterThanOrEqual(30);
      expect(m.length).toBeLessThanOrEqual(40);
      for (const p of m) {
        expect((p.x - 128) ** 2 + (p.y - 128) ** 2).toBeLessThanOrEqual(101 ** 2);
        expect(p.angle).toBeGreaterThanOrEqual(0);
        expect(p.angle).toBeLessThan(256);
        expect([1, 2]).toContain(p.type);
      }
    }
  });

  it("lays a template out as magic, version, count and 4 bytes per minutia", () => {
    const minutiae: Minutia[] = [
      { x: 10, y: 20, angle: 30, type: 1 },
      { x: 255, y: 0, angle: 255, type: 2 },
    ];
    const bytes = encodeTemplate(minutiae);
    expect([...bytes]).toEqual([
      TEMPLATE_MAGIC,
      TEMPLATE_VERSION,
      2,
      10,
      20,
      30,
      1,
      255,
      0,
      255,
      2,
    ]);
    expect(decodeTemplate(bytes)).toEqual(minutiae);
  });

  it("refuses what is not a template", () => {
    const good = encodeTemplate([{ x: 1, y: 2, angle: 3, type: 1 }]);
    const broken = (edit: (b: Uint8Array) => void) => {
      const b = good.slice();
      edit(b);
      return b;
    };
    for (const bytes of [
      new Uint8Array(2),
      broken((b) => (b[0] = 0x00)),
      broken((b) => (b[1] = 2)),
      broken((b) => (b[2] = 2)),
      broken((b) => (b[6] = 3)),
      good.slice(0, 6),
    ]) {
      expect(() => decodeTemplate(bytes)).toThrow(TemplateError);
    }
    expect(() => encodeTemplate([{ x: 256, y: 0, angle: 0, type: 1 }])).toThrow(TemplateError);
    expect(() => encodeTemplate([{ x: 0, y: 0, angle: 0, type: 0 }])).toThrow(TemplateError);
    expect(() =>
      encodeTemplate(
        Array.from({ length: MAX_MINUTIAE + 1 }, () => ({ x: 0, y: 0, angle: 0, type: 1 })),
      ),
    ).toThrow(TemplateError);
  });

  it("captures differ every time, repeat with the same seed, and stay small", () => {
    const a = captureTemplate("alice-right-index", seededRng(1));
    expect(captureTemplate("alice-right-index", seededRng(1))).toEqual(a);
    const rng = seededRng(2);
    const b = captureTemplate("alice-right-index", rng);
    const c = captureTemplate("alice-right-index", rng);
    expect(b).not.toEqual(c);
    let largest = 0;
    for (let i = 0; i < 200; i++) {
      const capture = captureFinger(`finger-${i}`, rng);
      largest = Math.max(largest, capture.template.length);
      expect(capture.quality).toBeGreaterThanOrEqual(0);
      expect(capture.quality).toBeLessThanOrEqual(100);
      expect(decodeTemplate(capture.template)).toEqual(capture.minutiae);
    }
    expect(largest).toBeLessThanOrEqual(3 + 4 * (40 + 3));
  });

  it("scores a template against itself 100, and an empty one 0", () => {
    const t = captureTemplate("bob-left-thumb", seededRng(3));
    expect(matchScore(t, t)).toBe(100);
    expect(matchScore(t, encodeTemplate([]))).toBe(0);
  });

  /** Scores of `n` pairs of captures: of the same finger, and of two different fingers. */
  function distributions(n: number, seed: number): { genuine: number[]; impostor: number[] } {
    const rng = seededRng(seed);
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < n; i++) {
      const finger = `person-${seed}-${i}-right-index`;
      const other = `person-${seed}-${i}-left-ring`;
      const enrolled = captureTemplate(finger, rng);
      genuine.push(matchScore(captureTemplate(finger, rng), enrolled));
      impostor.push(matchScore(captureTemplate(other, rng), enrolled));
    }
    return { genuine, impostor };
  }

  it("scores the same finger >= 70 and a different finger <= 20 in over 99% of captures", () => {
    const { genuine, impostor } = distributions(400, 20240611);
    const genuineLow = genuine.filter((s) => s < 70).length;
    const impostorHigh = impostor.filter((s) => s > 20).length;
    expect(genuineLow / genuine.length).toBeLessThan(0.01);
    expect(impostorHigh / impostor.length).toBeLessThan(0.01);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    expect(median(genuine)).toBeGreaterThanOrEqual(80);
    expect(median(impostor)).toBeLessThanOrEqual(12);
  });

  it("keeps the separation under another seed too", () => {
    const { genuine, impostor } = distributions(300, 7);
    expect(genuine.filter((s) => s < 70).length).toBeLessThanOrEqual(2);
    expect(impostor.filter((s) => s > 20).length).toBeLessThanOrEqual(2);
  });
});

let time: FakeTime;
let outputs: PdOutputEvent[];
let pd: FingerprintTerminalPd;

beforeEach(() => {
  time = createFakeTime();
  outputs = [];
  pd = new FingerprintTerminalPd({
    clock: time.clock,
    rng: seededRng(42),
    onOutput: (e) => outputs.push(e),
  });
});

const bioread = (
  over: Partial<{ reader: number; bioType: number; bioFormat: number }> = {},
): Command => ({
  kind: "bioread",
  reader: 0,
  bioType: 0x02,
  bioFormat: 0x00,
  quality: 0,
  ...over,
});

const biomatch = (
  template: Uint8Array,
  over: Partial<{ reader: number; bioType: number; bioFormat: number }> = {},
): Command => ({
  kind: "biomatch",
  reader: 0,
  bioType: 0x02,
  bioFormat: 0x00,
  qualityThreshold: 0,
  template,
  ...over,
});

function enrol(fingerId: string): Uint8Array {
  expect(pd.handle(bioread())).toEqual(ACK);
  pd.presentFinger(fingerId);
  const reply = pd.nextEvent();
  if (reply?.kind !== "bioreadr") throw new Error(`expected BIOREADR, got ${reply?.kind}`);
  return reply.template;
}

describe("FingerprintTerminalPd", () => {
  it("advertises biometrics on top of a card reader", () => {
    const bio = pd.capabilities.find((c) => c.functionCode === CAPABILITY.BIOMETRICS);
    expect(bio).toEqual({ functionCode: CAPABILITY.BIOMETRICS, compliance: 1, numberOf: 1 });
    for (const code of [
      CAPABILITY.CARD_DATA_FORMAT,
      CAPABILITY.READER_LED_CONTROL,
      CAPABILITY.READER_AUDIBLE_OUTPUT,
    ]) {
      expect(pd.capabilities.some((c) => c.functionCode === code)).toBe(true);
    }
  });

  it("BIOREAD: ACK, then BIOREADR with the template when a finger is presented", () => {
    expect(pd.handle(bioread())).toEqual(ACK);
    expect(pd.armedOperation).toBe("read");
    expect(pd.nextEvent()).toBeUndefined();
    const result = pd.presentFinger("alice-right-index");
    expect(result).toMatchObject({ operation: "read", queued: true });
    const reply = pd.nextEvent();
    expect(reply).toMatchObject({
      kind: "bioreadr",
      reader: 0,
      status: BIO_STATUS.SUCCESS,
      bioType: 0x02,
    });
    if (reply?.kind !== "bioreadr") throw new Error("no BIOREADR");
    expect(reply.quality).toBe(result.quality);
    expect(reply.quality).toBeGreaterThan(50);
    expect(decodeTemplate(reply.template).length).toBeGreaterThan(20);
    expect(pd.armedOperation).toBeUndefined();
    expect(time.pendingTimers()).toBe(0);
  });

  it("BIOREAD: BIOREADR with status timeout when no finger comes within 10 s", () => {
    pd.handle(bioread({ bioType: 0x00 }));
    time.advanceUs(9_999_999);
    expect(pd.nextEvent()).toBeUndefined();
    time.advanceUs(1);
    expect(pd.nextEvent()).toEqual({
      kind: "bioreadr",
      reader: 0,
      status: BIO_STATUS.TIMEOUT,
      bioType: 0x00,
      quality: 0,
      template: new Uint8Array(0),
    });
    expect(pd.presentFinger("alice-right-index")).toEqual({ operation: "none", queued: false });
    expect(pd.nextEvent()).toBeUndefined();
  });

  it("BIOMATCH: ACK, then BIOMATCHR with a high score for the enrolled finger", () => {
    const template = enrol("alice-right-index");
    expect(pd.handle(biomatch(template))).toEqual(ACK);
    expect(pd.armedOperation).toBe("match");
    time.advanceUs(3_000_000);
    const result = pd.presentFinger("alice-right-index");
    expect(result.operation).toBe("match");
    const reply = pd.nextEvent();
    expect(reply).toEqual({
      kind: "biomatchr",
      reader: 0,
      status: BIO_STATUS.SUCCESS,
      score: result.score,
    });
    expect(result.score).toBeGreaterThanOrEqual(70);
    expect(result.score).toBeLessThanOrEqual(100);
  });

  it("BIOMATCH: a low score for another finger", () => {
    const template = enrol("alice-right-index");
    pd.handle(biomatch(template));
    const result = pd.presentFinger("mallory-right-index");
    expect(result.score).toBeLessThanOrEqual(20);
    expect(pd.nextEvent()).toMatchObject({ kind: "biomatchr", status: 0, score: result.score });
  });

  it("BIOMATCH: BIOMATCHR with status timeout after 10 s, or after the configured time", () => {
    const template = enrol("alice-right-index");
    pd.handle(biomatch(template));
    time.advanceUs(10_000_000);
    expect(pd.nextEvent()).toEqual({
      kind: "biomatchr",
      reader: 0,
      status: BIO_STATUS.TIMEOUT,
      score: 0,
    });
    const quick = new FingerprintTerminalPd({
      clock: time.clock,
      matchTimeoutMs: 2000,
      readTimeoutMs: 500,
    });
    quick.handle(biomatch(template));
    time.advanceUs(2_000_000);
    expect(quick.nextEvent()).toMatchObject({ kind: "biomatchr", status: BIO_STATUS.TIMEOUT });
    quick.handle(bioread());
    time.advanceUs(500_000);
    expect(quick.nextEvent()).toMatchObject({ kind: "bioreadr", status: BIO_STATUS.TIMEOUT });
  });

  it("ABORT ends the waiting operation without a reply", () => {
    pd.handle(bioread());
    expect(pd.handle({ kind: "abort" })).toEqual(ACK);
    expect(pd.armedOperation).toBeUndefined();
    time.advanceUs(20_000_000);
    expect(pd.presentFinger("alice-right-index").operation).toBe("none");
    expect(pd.nextEvent()).toBeUndefined();
    expect(time.pendingTimers()).toBe(0);
  });

  it("a new operation replaces the waiting one, with its own full timeout", () => {
    const template = enrol("alice-right-index");
    pd.handle(bioread());
    time.advanceUs(8_000_000);
    pd.handle(biomatch(template));
    time.advanceUs(8_000_000); // the BIOREAD would have timed out by now
    expect(pd.nextEvent()).toBeUndefined();
    expect(pd.presentFinger("alice-right-index").operation).toBe("match");
    expect(pd.nextEvent()?.kind).toBe("biomatchr");
    expect(pd.nextEvent()).toBeUndefined();
  });

  it("NAKs 0x07 a body part it cannot scan, 0x08 a format it does not produce", () => {
    for (const bioType of [0x0b, 0x0f, 0x11, 0x12, 0xff]) {
      expect(pd.handle(bioread({ bioType }))).toEqual(nak(NAK_CODES.BIO_TYPE));
      expect(pd.handle(biomatch(encodeTemplate([]), { bioType }))).toEqual(nak(NAK_CODES.BIO_TYPE));
    }
    for (const bioFormat of [0x01, 0x02, 0x03]) {
      expect(pd.handle(bioread({ bioFormat }))).toEqual(nak(NAK_CODES.BIO_FORMAT));
      expect(pd.handle(biomatch(encodeTemplate([]), { bioFormat }))).toEqual(
        nak(NAK_CODES.BIO_FORMAT),
      );
    }
    for (const bioType of [0x00, 0x01, 0x06, 0x0a])
      expect(pd.handle(bioread({ bioType }))).toEqual(ACK);
    expect(pd.armedOperation).toBe("read"); // the ACKed one; the NAKed ones changed nothing
  });

  it("NAKs 0x09 another reader or a template it cannot read, keeping the waiting operation", () => {
    pd.handle(bioread());
    expect(pd.handle(bioread({ reader: 1 }))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(pd.handle(biomatch(Uint8Array.of(1, 2, 3)))).toEqual(nak(NAK_CODES.UNABLE_TO_PROCESS));
    expect(pd.handle(biomatch(encodeTemplate([]), { reader: 2 }))).toEqual(
      nak(NAK_CODES.UNABLE_TO_PROCESS),
    );
    expect(pd.armedOperation).toBe("read");
  });

  it("is still a card reader: cards, keys, LED, buzzer, status", () => {
    pd.presentCard("101");
    expect(pd.nextEvent()).toMatchObject({ kind: "raw", bitCount: 3 });
    pd.pressKeys("9");
    expect(pd.nextEvent()).toMatchObject({ kind: "keypad", digits: "9" });
    expect(
      pd.handle({ kind: "buz", reader: 0, toneCode: 2, onTime100ms: 1, offTime100ms: 0, count: 1 }),
    ).toEqual(ACK);
    time.advanceUs(100_000);
    expect(outputs.map((e) => e.event === "buzzer" && e.on)).toEqual([true, false]);
    expect(pd.handle({ kind: "rstat" })).toEqual({ kind: "rstatr", readers: [0] });
    expect(pd.handle({ kind: "ostat" })).toEqual(nak(NAK_CODES.UNKNOWN_COMMAND));
    pd.setTamper(true);
    expect(pd.nextEvent()).toEqual({ kind: "lstatr", tamper: 1, power: 0 });
  });

  it("queues results behind earlier events without losing any", () => {
    const template = enrol("alice-right-index");
    const expected: Reply["kind"][] = [];
    for (let i = 0; i < 20; i++) {
      pd.presentCard("1");
      expected.push("raw");
      pd.handle(i % 2 === 0 ? bioread() : biomatch(template));
      pd.presentFinger("alice-right-index");
      expected.push(i % 2 === 0 ? "bioreadr" : "biomatchr");
      pd.pressKeys("1");
      expected.push("keypad");
    }
    const kinds: Reply["kind"][] = [];
    for (let e = pd.nextEvent(); e; e = pd.nextEvent()) kinds.push(e.kind);
    expect(kinds).toEqual(expected);
  });

  it("stop() cancels the waiting operation's timer", () => {
    pd.handle(bioread());
    pd.stop();
    time.advanceUs(60_000_000);
    expect(pd.nextEvent()).toBeUndefined();
    expect(time.pendingTimers()).toBe(0);
  });
});
