import {
  decodeCommandResult,
  encodeCommand,
  type SiteCommand,
  signEnvelope,
  topics,
} from "@acs/protocol";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openStore } from "../../src/store/store.js";
import { type CommandExecution, CommandHandler } from "../../src/sync/commands.js";
import { cleanupDirs } from "./fixtures.js";
import { CENTRAL, unitSetup } from "./unit-support.js";

const SITE = "unit";
const { key } = CENTRAL;
afterEach(() => cleanupDirs());

function setup(
  execute: (c: SiteCommand) => Promise<CommandExecution> = async () => ({
    outcome: "done",
  }),
) {
  const env = unitSetup();
  const executed: string[] = [];
  const handler = new CommandHandler({
    site: SITE,
    store: env.store,
    events: env.events,
    publicKeys: env.keyRing,
    keyRing: env.keyRing,
    signer: env.signer,
    clock: env.clock,
    log: env.log,
    link: env.link,
    execute: (c) => {
      executed.push(c.id);
      return execute(c);
    },
    options: { executeTimeoutMs: 5000 },
  });
  const results = () => env.link.on(topics.commandResult(SITE)).map(decodeCommandResult);
  const send = async (command: SiteCommand) => {
    handler.onMessage(signEnvelope("command", encodeCommand(command), key));
    await handler.idle();
  };
  return { ...env, handler, executed, results, send };
}

function command(id: string, now: number, ttl: number): SiteCommand {
  return {
    id,
    site: SITE,
    issuedAt: now,
    expiresAt: now + ttl,
    action: { kind: "door-mode", doorId: "main", mode: "locked" },
  };
}

describe("commands (unit)", () => {
  it("refuses a command whose expiresAt is now", async () => {
    const { send, clock, results, executed, store } = setup();
    await send(command("a", clock.wallMs(), 0));
    await send(command("b", clock.wallMs(), 1));
    expect(results().map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ["a", "refused", "EXPIRED"],
      ["b", "done", null],
    ]);
    expect(executed).toEqual(["b"]);
    store.close();
  });

  it("keeps seen ids (in SQLite) until a day past expiry, then prunes them", async () => {
    const { send, clock, fake, handler, store, path } = setup();
    await send(command("a", clock.wallMs(), 60_000));
    expect(store.seenCommands.has("a")).toBe(true);
    fake.tick(60_000 + 86_400_000 - 1);
    expect(handler.prune()).toBe(0);
    fake.tick(2);
    expect(handler.prune()).toBe(1);
    expect(store.seenCommands.has("a")).toBe(false);
    store.close();
    // Survives reopening (the restart case is covered end to end too).
    const reopened = openStore(path);
    expect(reopened.seenCommands.count()).toBe(0);
    reopened.close();
  });

  it("fails a command whose execution does not answer in time, and answers while offline later", async () => {
    const { handler, clock, fake, results, link, store } = setup(() => new Promise(() => {}));
    link.connected = false;
    handler.onMessage(
      signEnvelope("command", encodeCommand(command("slow", clock.wallMs(), 60_000)), key),
    );
    await Promise.resolve();
    await fake.tickAsync(5000);
    await handler.idle();
    expect(results()).toEqual([]);
    link.connected = true;
    handler.onConnect();
    expect(results().map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ["slow", "failed", "TIMEOUT"],
    ]);
    const events = store.events({ limit: 10 }).filter((e) => e.type === "command");
    expect(events[0]?.payload).toMatchObject({
      id: "slow",
      action: "door-mode",
      mode: "locked",
      outcome: "failed",
      reason: "TIMEOUT",
    });
    store.close();
  });

  it("refuses (STORE_UNWRITABLE), not executes, a command whose id cannot be recorded", async () => {
    const { send, clock, results, executed, store, events } = setup();
    await send(command("seen", clock.wallMs(), 60_000));
    const mark = vi.spyOn(store.seenCommands, "markSeen").mockImplementation(() => {
      throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
    });
    const append = vi.spyOn(store, "appendEvents").mockImplementation(() => {
      throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
    });
    await send(command("new", clock.wallMs(), 60_000));
    await send(command("seen", clock.wallMs(), 60_000));
    expect(results().map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ["seen", "done", null],
      ["new", "refused", "STORE_UNWRITABLE"],
      ["seen", "refused", "REPLAYED"],
    ]);
    expect(executed).toEqual(["seen"]);
    // The command events wait in the journal until the store takes writes.
    expect(events.eventsQueued).toBe(3);
    mark.mockRestore();
    append.mockRestore();
    expect(events.flush()).toBe(true);
    const outcomes = store
      .events({ limit: 20 })
      .filter((e) => e.type === "command")
      .map((e) => (e.payload as { reason: string | null }).reason);
    expect(outcomes).toEqual([null, "STORE_UNWRITABLE", "REPLAYED"]);
    store.close();
  });
});
