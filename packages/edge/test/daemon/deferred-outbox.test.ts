import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DeferredOutbox } from "../../src/daemon/deferred-outbox.js";
import { openStore, type Store } from "../../src/store/store.js";

describe("DeferredOutbox", () => {
  it("commits the events of one turn together, right after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-deferred-"));
    const store = openStore(join(dir, "edge.db"));
    try {
      const outbox = new DeferredOutbox(
        () => store,
        () => {},
      );
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

  it("keeps events whose commit failed and stores them with the next flush", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acs-deferred-"));
    const store = openStore(join(dir, "edge.db"));
    let failing = true;
    const errors: number[] = [];
    const flaky = {
      appendEvents: (events: Parameters<Store["appendEvents"]>[0]) => {
        if (failing) throw new Error("disk full");
        return store.appendEvents(events);
      },
    } as unknown as Store;
    try {
      const outbox = new DeferredOutbox(
        () => flaky,
        (_err, events) => errors.push(events.length),
      );
      outbox.add({ at: 1, type: "door-forced-open", doorId: "d", payload: {} });
      await Promise.resolve();
      expect(errors).toEqual([1]);
      failing = false;
      outbox.add({ at: 2, type: "door-closed", doorId: "d", payload: {} });
      await Promise.resolve();
      expect(store.events().map((e) => e.type)).toEqual(["door-forced-open", "door-closed"]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
