import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryTransportPair } from "@acs/serial-transport";
import { encode, H10301 } from "@acs/wiegand";
import FakeTimers from "@sinonjs/fake-timers";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { parseSiteConfig } from "../../src/config/site-config.js";
import { Accessd } from "../../src/daemon/accessd.js";
import { parseTemplateKey, sealTemplate } from "../../src/fingerprint/template-crypto.js";
import { FakeFingerprintTerminal } from "../../src/fingerprint/terminal.js";
import { openStore } from "../../src/store/store.js";
import { NOW_MS, siteState } from "../decision/fixture.js";
import { FakeBoard } from "../fake-board.js";
import { settle } from "../fake-clock.js";

const KEY_HEX = "5a".repeat(32);
const FINGER = Uint8Array.from({ length: 64 }, (_, i) => (i * 7) % 256);
const OTHER_FINGER = Uint8Array.from({ length: 64 }, (_, i) => (i * 13 + 5) % 256);

describe("accessd at a card + fingerprint door (in process, memory line, fake terminal)", () => {
  let dir: string;
  let daemon: Accessd;
  let board: FakeBoard;
  let terminal: FakeFingerprintTerminal;
  let fake: ReturnType<typeof FakeTimers.createClock>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "acs-accessd-"));
    const path = join(dir, "edge.db");
    const store = openStore(path);
    store.applyFullState(siteState(), { expectedSite: "test-site", now: NOW_MS });
    // Person 11 enrolled with card 11001; person 10 enrolled with the card that was replaced.
    const key = parseTemplateKey(KEY_HEX);
    for (const [personId, cardId] of [
      [11, 11001],
      [10, 10001],
    ] as const) {
      store.saveEnrollment({
        personId,
        cardId,
        enrolledAt: NOW_MS,
        sealedTemplate: sealTemplate(key, personId, cardId, FINGER),
      });
    }
    store.close();
    fake = FakeTimers.createClock(0, 100_000);
    const clock: Clock = {
      now: () => fake.now,
      monotonicUs: () => fake.now * 1000,
      wallMs: () => NOW_MS + fake.now,
      setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
      clearTimeout: (h) => fake.clearTimeout(h as never),
    };
    const [edgeLine, boardLine] = memoryTransportPair();
    board = new FakeBoard(boardLine);
    await board.plugIn();
    terminal = new FakeFingerprintTerminal("fp-1");
    const config = parseSiteConfig({
      site: "test-site",
      store: { path },
      fingerprint: { keyHex: KEY_HEX, armMs: 8000 },
      buses: [
        {
          id: "b1",
          kind: "bridge",
          device: "memory",
          readers: [{ id: "r1", port: 0, formats: ["H10301"] }],
        },
      ],
      doors: [
        {
          id: "vault",
          name: "Vault",
          areaId: 1,
          entryReader: "r1",
          lock: { bus: "b1", number: 0 },
          contact: { bus: "b1", number: 0 },
          mode: "card-and-fingerprint",
        },
      ],
    });
    daemon = new Accessd(config, {
      clock,
      log: pino({ level: "silent" }),
      transportFor: () => edgeLine,
      terminals: new Map([["vault", terminal]]),
      checkpointMs: 0,
    });
    await daemon.start();
    await settle();
    board.hello(0x77);
    await settle();
  });

  afterEach(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 1;
  const read = async (cardNumber: number) => {
    const bits = encode(H10301, { facility: 18, card: cardNumber });
    board.send(
      { kind: "card", port: 0, bits, endReason: "max-bits", boardTimeMs: 1, durationUs: 50_000 },
      seq++,
    );
    await settle();
    await settle();
  };
  const relayCommands = () => board.sequenced().filter((r) => r.message.kind === "relay");

  it("opens only when the enrolled finger matches, and the template goes to the terminal", async () => {
    seq = 1;
    terminal.presentFinger(FINGER);
    await read(11001);
    expect(terminal.requests).toHaveLength(1);
    expect(Buffer.from(terminal.requests[0]!.template)).toEqual(Buffer.from(FINGER));
    expect(relayCommands().map((r) => r.message)).toEqual([
      { kind: "relay", relay: 0, action: "pulse", durationMs: 5000 },
    ]);
  });

  it("keeps the door shut for another finger, and when no finger comes", async () => {
    seq = 1;
    terminal.presentFinger(OTHER_FINGER);
    await read(11001);
    await read(11001);
    expect(relayCommands()).toEqual([]);
    expect(
      board
        .sequenced()
        .filter((r) => r.message.kind === "feedback")
        .map((r) => (r.message as { led: string }).led),
    ).toEqual(["amber", "red", "amber", "red"]);
  });

  it("refuses a new card whose holder enrolled with the old one, without arming the terminal", async () => {
    seq = 1;
    await read(10002);
    expect(terminal.requests).toEqual([]);
    expect(relayCommands()).toEqual([]);
    const events = daemon
      .recentEvents(5)
      .map((e) => [e.type, (e.payload as { reason?: string }).reason]);
    expect(events).toContainEqual(["access-decision", "FINGERPRINT_NOT_ENROLLED_FOR_CARD"]);
  });
});
