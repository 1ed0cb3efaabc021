import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReaderHealth, SiteCommand, SiteState } from "@acs/protocol";
import pino, { type Logger } from "pino";
import { systemClock } from "../../src/clock.js";
import { openStore, type Store } from "../../src/store/store.js";
import type { CommandExecution } from "../../src/sync/commands.js";
import {
  type StateChange,
  SyncClient,
  type SyncClientOptions,
} from "../../src/sync/sync-client.js";
import { EDGE } from "./central.js";

export const NOW = Date.parse("2026-03-01T12:00:00+01:00");

const dirs: string[] = [];

/** A fresh temporary directory; removed by cleanupDirs(). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "acs-sync-"));
  dirs.push(dir);
  return dir;
}

export function cleanupDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempStorePath(): string {
  return join(tempDir(), "edge.db");
}

/** Logs to stdout when SYNC_TEST_LOG is set (e.g. SYNC_TEST_LOG=debug). */
export function testLog(): Logger {
  return pino({ level: process.env.SYNC_TEST_LOG ?? "silent" });
}

export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A complete state with `persons` persons, each with a card, an employment and an
 * authorization: about 250 bytes a person encoded, so 1000 persons span a few chunks.
 */
export function siteState(site: string, version: number, persons = 10, tag = ""): SiteState {
  const ids = Array.from({ length: persons }, (_, i) => i + 1);
  return {
    site,
    version,
    sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 60 },
    doorPolicies: [{ doorId: "main", mode: "card", unlockScheduleId: null }],
    persons: ids.map((id) => ({ id, displayName: `P. Person ${id}${tag}` })),
    cards: ids.map((id) => ({
      id: 100_000 + id,
      personId: id,
      format: "H10301",
      facility: 18,
      number: id,
      rawBits: null,
      status: "active",
      statusReason: null,
      activatedAt: 1_700_000_000_000,
      validFrom: null,
      validUntil: 1_900_000_000_000,
    })),
    employments: ids.map((id) => ({
      id: 200_000 + id,
      personId: id,
      companyId: 7,
      start: 1_600_000_000_000,
      end: null,
    })),
    areas: [{ id: 1, name: "Exchange", requiredCertificates: [] }],
    authorizations: ids.map((id) => ({
      id: 300_000 + id,
      employmentId: 200_000 + id,
      areaId: 1,
      validFrom: null,
      validUntil: null,
      scheduleId: null,
    })),
    schedules: [],
    holidayCalendars: [],
    certificates: [],
  };
}

/** Records what the sync client tells accessd, and answers commands as told. */
export class HookRecorder {
  readonly changes: StateChange[] = [];
  readonly commands: SiteCommand[] = [];
  readers: ReaderHealth[] = [{ bus: "bus-1", address: 1, state: "online" }];
  answer: (command: SiteCommand) => Promise<CommandExecution> = async () => ({ outcome: "done" });

  readonly hooks = {
    stateApplied: (change: StateChange) => {
      this.changes.push(change);
    },
    executeCommand: (command: SiteCommand) => {
      this.commands.push(command);
      return this.answer(command);
    },
    readers: () => this.readers,
  };
}

export interface EdgeFixture {
  readonly client: SyncClient;
  readonly store: Store;
  readonly recorder: HookRecorder;
  readonly path: string;
}

/** Opens the store at `path` (new one by default) and starts a SyncClient on it. */
export function startEdge(
  options: Pick<SyncClientOptions, "site" | "mqttUrl" | "publicKeys"> &
    Partial<Omit<SyncClientOptions, "store" | "hooks">> & {
      readonly path?: string;
      readonly recorder?: HookRecorder;
    },
): EdgeFixture {
  const path = options.path ?? tempStorePath();
  const store = openStore(path);
  const recorder = options.recorder ?? new HookRecorder();
  const client = new SyncClient({
    clock: systemClock,
    log: testLog(),
    reconnect: { initialMs: 50, maxMs: 500 },
    subscribeRetry: { initialMs: 100, maxMs: 400 },
    signingKey: EDGE.key,
    ...options,
    store,
    hooks: recorder.hooks,
  });
  client.start();
  return { client, store, recorder, path };
}

/** Stops the client and closes its store. */
export async function stopEdge(edge: EdgeFixture): Promise<void> {
  await edge.client.stop(1000);
  if (edge.store.db.open) edge.store.close();
}
