import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One edge of a fleet: its site, its store file and the area of its (one) door. */
export interface EdgeSpec {
  readonly site: string;
  readonly path: string;
  readonly areaId: number;
  /** The edge's own key, registered at central for its site. */
  readonly key: { readonly keyId: string; readonly privateKeyPem: string };
}

export interface UplinkSettings {
  readonly batchEvents?: number;
  readonly window?: number;
}

export type FleetRequest = { readonly id: number } & (
  | {
      readonly op: "start";
      readonly mqttUrl: string;
      readonly keys: ReadonlyArray<{ keyId: string; publicKeyPem: string }>;
      readonly edges: readonly EdgeSpec[];
      /** Events put in each edge's outbox before it connects. */
      readonly outboxEvents?: number;
      readonly uplink?: UplinkSettings;
      /** accessd's WAL handling: no auto-checkpoint, a checkpoint thread (one per edge). */
      readonly checkpointer?: boolean;
      /** The snapshot stall timer's first step (SnapshotOptions.retryMs; default 10 s). */
      readonly snapshotRetryMs?: number;
    }
  | {
      readonly op: "watch";
      readonly watch: number;
      readonly facility: number;
      readonly card: number;
      /** Only these sites' edges (all by default). */
      readonly sites?: readonly string[];
      /** Done at each edge on its first refusal (default) or its first grant. */
      readonly until?: "deny" | "grant";
    }
  /** Deltas applied so far; firstAt and lastAt of those after the first `from`. */
  | { readonly op: "deltas"; readonly from?: number }
  | { readonly op: "stats" }
  /** Appends `events` to the first edge's outbox in chunks while it is connected. */
  | { readonly op: "stream"; readonly events: number; readonly chunk: number }
  | { readonly op: "stop" }
);

/** Per edge: when (sharedNow) the watched card was first refused (or granted) at its door, and why. */
export type WatchTimes = ReadonlyArray<{ site: string; at: number; reason: string; via: string }>;

export type FleetEvent =
  | { readonly event: "hello"; readonly pid: number }
  | {
      readonly event: "reply";
      readonly id: number;
      readonly result?: unknown;
      readonly error?: string;
    }
  | {
      readonly event: "ready";
      readonly site: string;
      readonly version: number;
      readonly at: number;
    }
  | { readonly event: "watch-done"; readonly watch: number; readonly times: WatchTimes }
  | {
      readonly event: "full-state-applied";
      readonly site: string;
      readonly startedAt: number;
      readonly endedAt: number;
      readonly rows: number;
    }
  | {
      readonly event: "outbox-filled";
      readonly site: string;
      readonly events: number;
      readonly ms: number;
    }
  | {
      readonly event: "drained";
      readonly site: string;
      readonly at: number;
      readonly startedAt: number;
      readonly uplink: Record<string, unknown>;
    };

type Request = FleetRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, "id">
    : never
  : never;

const WORKER = fileURLToPath(new URL("./sync-edge-worker.js", import.meta.url));

/**
 * A child process running edges (sync-edge-worker.ts): requests over IPC, its events kept
 * in `events` and waitable. Its own process, so central (in the caller) and the edges do
 * not share an event loop.
 */
export class EdgeFleet {
  readonly events: FleetEvent[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly waiters: Array<{
    match: (e: FleetEvent) => boolean;
    resolve: (e: FleetEvent) => void;
  }> = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on("message", (m: FleetEvent) => this.onEvent(m));
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 200) this.stderr.splice(0, 100);
      if (process.env.BENCH_EDGE_LOG) process.stderr.write(d);
    });
    child.on("exit", (code, signal) => {
      for (const p of this.pending.values())
        p.reject(
          new Error(`edge worker exited (${code ?? signal}): ${this.stderr.join("").slice(-2000)}`),
        );
      this.pending.clear();
    });
  }

  static async start(nodeArgs: readonly string[] = []): Promise<EdgeFleet> {
    const child = fork(WORKER, [], {
      execArgv: [...nodeArgs],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const fleet = new EdgeFleet(child);
    await fleet.waitFor((e) => e.event === "hello", 10_000, "the edge worker");
    return fleet;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T = Record<string, unknown>>(request: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  /** The first event (seen or to come) that matches. */
  waitFor<E extends FleetEvent>(
    match: (e: FleetEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<E> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as E);
    return new Promise<E>((resolve, reject) => {
      const waiter = { match, resolve: (e: FleetEvent) => resolve(e as E) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(`timed out waiting for ${what}; stderr: ${this.stderr.join("").slice(-2000)}`),
        );
      }, timeoutMs);
      waiter.resolve = (e) => {
        clearTimeout(timer);
        resolve(e as E);
      };
      this.waiters.push(waiter);
    });
  }

  /** Stops the edges gracefully, then the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    await Promise.race([
      this.request({ op: "stop" }),
      new Promise((r) => setTimeout(r, 10_000)),
    ]).catch(() => undefined);
    // Let it exit by itself (profiles and logs are written then); SIGTERM if it hangs.
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGTERM"), 5000);
    await exited;
    clearTimeout(timer);
  }

  private onEvent(e: FleetEvent): void {
    if (e.event === "reply") {
      const p = this.pending.get(e.id);
      this.pending.delete(e.id);
      if (e.error !== undefined) p?.reject(new Error(e.error));
      else p?.resolve(e.result);
      return;
    }
    this.events.push(e);
    for (const w of [...this.waiters]) {
      if (w.match(e)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  }
}
