import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { tempDbPath } from "./fixtures.js";

/** The compiled Checkpointer: its worker thread runs compiled code (tests run after tsc -b). */
const COMPILED = new URL("../../dist/src/store/checkpointer.js", import.meta.url);
type CheckpointerModule = typeof import("../../src/store/checkpointer.js");

const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

describe("Checkpointer", () => {
  it("empties a WAL past its limit once no reader holds it, without holding writes meanwhile", async () => {
    expect(existsSync(fileURLToPath(COMPILED))).toBe(true);
    const { Checkpointer } = (await import(COMPILED.href)) as CheckpointerModule;
    const path = tempDbPath();
    const store = openStore(path);
    store.db.pragma("wal_autocheckpoint = 0");
    // A reader in a long transaction (as a large index build): no checkpoint gets past it.
    const reader = new Database(path, { readonly: true });
    reader.exec("BEGIN");
    reader.prepare("SELECT count(*) FROM event_outbox").get();
    const payload = { fields: { facility: 18, card: 101 }, pad: "x".repeat(200) };
    for (let i = 0; i < 1500; i++) store.appendEvents([{ at: i, type: "card-read", payload }]);
    expect(walSize(path)).toBeGreaterThan(2 * MiB);

    const checkpointer = new Checkpointer(path, pino({ level: "silent" }));
    checkpointer.start({ intervalMs: 20, walLimitBytes: MiB });
    try {
      // While the reader holds frames back, the daemon's writes are never made to wait.
      let slowest = 0;
      const until = Date.now() + 400;
      while (Date.now() < until) {
        const started = performance.now();
        store.appendEvents([{ at: 0, type: "card-read", payload }]);
        slowest = Math.max(slowest, performance.now() - started);
        await sleep(2);
      }
      expect(slowest).toBeLessThan(50);
      expect(walSize(path)).toBeGreaterThan(2 * MiB);
      expect(checkpointer.truncated).toBe(0);

      reader.exec("COMMIT");
      const deadline = Date.now() + 3000;
      while ((walSize(path) > MiB || checkpointer.truncated === 0) && Date.now() < deadline)
        await sleep(10);
      // A PASSIVE checkpoint alone would leave the file at its size (journal_size_limit
      // trims it only when a writer starts it over, and here to 64 MiB).
      expect(walSize(path)).toBeLessThanOrEqual(MiB);
      expect(checkpointer.truncated).toBeGreaterThan(0);
      expect(store.outboxDepth()).toBeGreaterThan(1500);
    } finally {
      await checkpointer.stop();
      reader.close();
      store.close();
    }
  });
});
