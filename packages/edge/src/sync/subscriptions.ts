import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { Backoff } from "./backoff.js";

/** A topic filter's subscription on the current connection. */
export type SubscriptionState =
  /** Asked for, no SUBACK yet (or not connected). */
  | "pending"
  /** Granted with QoS 1. */
  | "granted"
  /** Granted with QoS 0 only: it holds, but messages may be lost while offline. */
  | "degraded"
  /** Refused (SUBACK 0x80): asked again with backoff while the connection stays up. */
  | "refused";

/** The SUBACK of one SUBSCRIBE: a return code per filter, in order (0, 1, 2 or 0x80). */
export type SubscribeFn = (
  filters: readonly string[],
  done: (error: Error | undefined, codes: readonly number[] | undefined) => void,
) => void;

export interface SubscriptionDeps {
  readonly filters: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly subscribe: SubscribeFn;
  /** Some filter's state changed. */
  readonly changed: () => void;
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
}

/**
 * Holds QoS 1 subscriptions to a set of topic filters on a connection that may come and
 * go. Every SUBACK is checked per filter: a broker may refuse one (0x80) while the
 * connection stays up, so refused ones are asked for again with backoff until they hold,
 * and the edge reports itself unhealthy meanwhile. On each new connection everything is
 * subscribed again (harmless with a persistent session, needed when the broker lost it).
 */
export class Subscriptions {
  private readonly deps: SubscriptionDeps;
  private readonly states = new Map<string, SubscriptionState>();
  private readonly backoff: Backoff;
  private retryTimer: unknown;
  /** Bumped per connection: a SUBACK of an earlier connection is ignored. */
  private epoch = 0;
  private up = false;
  private refusals = 0;

  constructor(deps: SubscriptionDeps) {
    this.deps = deps;
    for (const filter of deps.filters) this.states.set(filter, "pending");
    this.backoff = new Backoff(deps.retry?.initialMs ?? 1000, deps.retry?.maxMs ?? 60_000);
  }

  state(filter: string): SubscriptionState {
    return this.states.get(filter) ?? "pending";
  }

  /** Granted (also with QoS 0 only). */
  holds(filter: string): boolean {
    const state = this.state(filter);
    return state === "granted" || state === "degraded";
  }

  /** Every filter granted with QoS 1. */
  healthy(): boolean {
    return [...this.states.values()].every((s) => s === "granted");
  }

  all(): Record<string, SubscriptionState> {
    return Object.fromEntries(this.states);
  }

  refused(): string[] {
    return [...this.states].filter(([, s]) => s === "refused").map(([f]) => f);
  }

  /** SUBACKs with a refusal since start. */
  get refusalCount(): number {
    return this.refusals;
  }

  /** A new connection: subscribe to everything. */
  onConnect(): void {
    this.epoch++;
    this.up = true;
    this.clearRetry();
    this.backoff.reset();
    for (const filter of this.deps.filters) this.states.set(filter, "pending");
    this.deps.changed();
    this.send(this.deps.filters);
  }

  onDown(): void {
    this.epoch++;
    this.up = false;
    this.clearRetry();
    for (const filter of this.deps.filters) this.states.set(filter, "pending");
    this.deps.changed();
  }

  stop(): void {
    this.onDown();
  }

  private send(filters: readonly string[]): void {
    const epoch = this.epoch;
    this.deps.subscribe(filters, (error, codes) => {
      if (epoch !== this.epoch || !this.up) return;
      this.onSuback(filters, error, codes);
    });
  }

  private onSuback(
    filters: readonly string[],
    error: Error | undefined,
    codes: readonly number[] | undefined,
  ): void {
    const { log } = this.deps;
    if (!codes || codes.length !== filters.length) {
      // No usable SUBACK (the connection went, or a protocol error): ask again.
      log.warn({ err: error?.message, filters }, "subscribe failed; trying again");
      this.armRetry(filters);
      return;
    }
    const refused: string[] = [];
    filters.forEach((filter, i) => {
      const code = codes[i] as number;
      if (code >= 0x80) {
        refused.push(filter);
        this.states.set(filter, "refused");
      } else if (code === 0) {
        this.states.set(filter, "degraded");
        log.warn({ filter }, "subscription granted with QoS 0 only; messages may be lost");
      } else {
        this.states.set(filter, "granted");
      }
    });
    if (refused.length > 0) {
      this.refusals++;
      log.error(
        { refused, attempt: this.backoff.attempts + 1 },
        "broker refused subscriptions (SUBACK 0x80); edge unhealthy, trying again",
      );
      this.armRetry(refused);
    } else if (this.healthy()) {
      log.info({ filters: this.deps.filters.length }, "all subscriptions hold");
      this.backoff.reset();
    }
    this.deps.changed();
  }

  private armRetry(filters: readonly string[]): void {
    this.clearRetry();
    const epoch = this.epoch;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (epoch !== this.epoch || !this.up) return;
      this.send(filters);
    }, this.backoff.next());
  }

  private clearRetry(): void {
    if (this.retryTimer === undefined) return;
    this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
