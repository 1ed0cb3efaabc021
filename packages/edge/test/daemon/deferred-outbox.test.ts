import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DeferredOutbox } from "../../src/daemon/deferred-outbox.js";
import { EventJournal } from "../../src/store/event-journal.js";
import type { NewOutboxEvent } from "../../src/store/outbox.js";
import { openStore } from "../../src/store/store.js";
import { fakeClock } from "../fake-clock.js";

describe("DeferredOutbox", () => {
  it("records the events of one turn together, right after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-deferred-"));
    const store = openStore(join(dir, "edge.db"));
    const { clock } = fakeClock();
    try {
      const journal = new EventJournal({
        sink: () => store,
        clock,
        log: pino({ level: "silent" }),
      });
      const outbox = new DeferredOutbox(journal);
      outbox.add({ at: 1, type: "lock-released", doorId: "d", payload: {} });
      outbox.add({ at: 2, type: "door-opened", doorId: "d", payload: {} });
      expect(store.outboxDepth()).toBe(0);
      await Promise.resolve();
      expect(store.events().map((e) => e.type)).toEqual(["lock-released", "door-opened"]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands events whose commit failed to the journal, which stores them in order later", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-deferred-"));
    const store = openStore(join(dir, "edge.db"));
    const { clock, fake } = fakeClock();
    let failing = true;
    const flaky = {
      appendEvents: (events: readonly NewOutboxEvent[]) => {
        if (failing) throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
        return store.appendEvents(events);
      },
    };
    try {
      const journal = new EventJournal({
        sink: () => flaky,
        clock,
        log: pino({ level: "silent" }),
      });
      journal.start();
      const outbox = new DeferredOutbox(journal);
      outbox.add({ at: 1, type: "door-forced-open", doorId: "d", payload: {} });
      await Promise.resolve();
      expect(journal.eventsQueued).toBe(2);
      failing = false;
      outbox.add({ at: 2, type: "door-closed", doorId: "d", payload: {} });
      await Promise.resolve();
      fake.tick(1000);
      expect(store.events().map((e) => e.type)).toEqual([
        "store-unwritable",
        "door-forced-open",
        "door-closed",
        "store-writable",
      ]);
      journal.stop();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
