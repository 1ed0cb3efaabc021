import { describe, expect, it } from "vitest";
import {
  DoorController,
  type DoorEvent,
  type DoorTiming,
  InterlockGroup,
} from "../../src/door/door-controller.js";
import { fakeClock } from "../fake-clock.js";

const TIMING: DoorTiming = {
  strikeMs: 5000,
  relockOnClose: true,
  heldOpenPreAlarmMs: 20_000,
  heldOpenAlarmMs: 30_000,
  rexUnlocks: true,
};

function door(id = "d1", timing: Partial<DoorTiming> = {}, interlock?: InterlockGroup) {
  const { clock, fake } = fakeClock();
  const io: string[] = [];
  const events: DoorEvent[] = [];
  const controller = new DoorController({
    id,
    timing: { ...TIMING, ...timing },
    clock,
    emit: (e) => events.push(e),
    io: {
      pulseLock: (ms) => io.push(`pulse ${ms}`),
      holdLock: (released) => io.push(released ? "hold released" : "secure"),
      signal: (kind) => io.push(`signal ${kind}`),
    },
    ...(interlock ? { interlock } : {}),
  });
  const types = () => events.map((e) => e.type);
  return { controller, io, events, types, fake };
}

describe("DoorController", () => {
  it("releases the strike for the strike time on a grant and relocks when the door closes", () => {
    const d = door();
    expect(d.controller.grant()).toBe(true);
    expect(d.io).toEqual(["pulse 5000", "signal grant"]);
    d.fake.tick(1000);
    d.controller.contact(true);
    d.controller.contact(false);
    expect(d.types()).toEqual(["lock-released", "door-opened", "door-closed", "lock-secured"]);
    expect(d.io.at(-1)).toBe("secure");
  });

  it("lets the strike time run out when nobody opens the door", () => {
    const d = door();
    d.controller.grant();
    d.fake.tick(5000);
    expect(d.types()).toEqual(["lock-released", "lock-secured"]);
    expect(d.controller.secure).toBe(true);
  });

  it("raises a held-open pre-alarm, then the alarm, and clears it when the door closes", () => {
    const d = door();
    d.controller.grant();
    d.controller.contact(true);
    d.fake.tick(20_000);
    expect(d.controller.state.alarm).toBe("prealarm");
    d.fake.tick(10_000);
    expect(d.controller.state.alarm).toBe("held-open");
    d.controller.contact(false);
    expect(d.types()).toEqual([
      "lock-released",
      "door-opened",
      "lock-secured",
      "door-held-open-prealarm",
      "door-held-open-alarm",
      "door-closed",
      "door-held-open-cleared",
    ]);
  });

  it("raises forced-open when the door opens without a grant", () => {
    const d = door();
    d.controller.contact(true);
    expect(d.controller.state.alarm).toBe("forced");
    d.controller.contact(false);
    expect(d.types()).toEqual([
      "door-opened",
      "door-forced-open",
      "door-closed",
      "door-forced-open-cleared",
    ]);
  });

  it("raises forced-open for an opening after the strike time ran out", () => {
    const d = door();
    d.controller.grant();
    d.fake.tick(6000);
    d.controller.contact(true);
    expect(d.types()).toContain("door-forced-open");
  });

  it("request-to-exit releases the strike, or only authorizes the opening when configured so", () => {
    const unlocking = door();
    unlocking.controller.requestToExit();
    expect(unlocking.io).toEqual(["pulse 5000"]);
    const quiet = door("d2", { rexUnlocks: false });
    quiet.controller.requestToExit();
    quiet.controller.contact(true);
    expect(quiet.io).toEqual([]);
    expect(quiet.types()).toEqual(["request-to-exit", "door-opened"]);
  });

  it("holds the lock released in unlocked mode and secures it in lockdown", () => {
    const d = door();
    d.controller.setMode("unlocked", "test");
    d.controller.contact(true);
    d.fake.tick(60_000);
    expect(d.controller.state.alarm).toBe("none");
    d.controller.contact(false);
    d.controller.setMode("lockdown", "test");
    expect(d.io).toEqual(["hold released", "secure"]);
    expect(d.controller.secure).toBe(true);
  });

  it("stands unlocked while its unlock schedule is open, only in a normal mode", () => {
    const d = door();
    d.controller.setScheduleUnlocked(true);
    expect(d.controller.state.released).toBe(true);
    d.controller.setMode("lockdown", "command");
    expect(d.controller.state.released).toBe(false);
    d.controller.setMode("card", "command");
    expect(d.controller.state.released).toBe(true);
    d.controller.setScheduleUnlocked(false);
    expect(d.controller.state.released).toBe(false);
  });

  it("interlocks two doors: one opens only while the other is shut and locked", () => {
    const group = new InterlockGroup();
    const outer = door("outer", {}, group);
    const inner = door("inner", {}, group);
    group.add(outer.controller);
    group.add(inner.controller);
    expect(outer.controller.grant()).toBe(true);
    outer.controller.contact(true);
    expect(inner.controller.grant()).toBe(false);
    expect(inner.types()).toEqual(["interlock-blocked"]);
    outer.controller.contact(false);
    expect(inner.controller.grant()).toBe(true);
  });

  it("stop() leaves no timers", () => {
    const d = door();
    d.controller.grant();
    d.controller.contact(true);
    d.controller.stop();
    expect(d.fake.countTimers()).toBe(0);
  });
});
