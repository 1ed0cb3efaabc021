import {
  acsType,
  type CommandResult,
  decodeCommand,
  encodeCommandResult,
  MAX_MESSAGE_BYTES,
  openEnvelope,
  ProtocolError,
  type SiteCommand,
  type TrustedKeys,
  topics,
} from "@acs/protocol";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../store/event-journal.js";
import { storeFaultCode } from "../store/storage-errors.js";
import type { Store } from "../store/store.js";
import type { CentralKeyRing } from "./central-key-ring.js";
import type { EdgeSigner } from "./edge-signer.js";
import type { Link } from "./link.js";

/** What accessd made of a command. */
export interface CommandExecution {
  readonly outcome: "done" | "refused" | "failed";
  /** Why it was refused or failed (e.g. UNKNOWN_DOOR). */
  readonly reason?: string;
}

export type ExecuteCommand = (command: SiteCommand) => Promise<CommandExecution>;

export interface CommandOptions {
  /** An execution that has not answered after this fails with TIMEOUT. Default 30 s. */
  readonly executeTimeoutMs?: number;
  /**
   * Seen command ids are kept this long past their command's expiry (so a wall clock set
   * back a little does not make an old command new again). Default 24 h.
   */
  readonly seenRetentionMs?: number;
  /** Results waiting for a connection, at most (older ones are in the outbox anyway). Default 100. */
  readonly maxQueuedResults?: number;
}

export interface CommandHandlerDeps {
  readonly site: string;
  readonly store: Store;
  /** Where the "command" events go (never throws). */
  readonly events: EventRecorder;
  /** Central's keys: a command must be signed by one. */
  readonly publicKeys: TrustedKeys;
  /** Central's key rotation changes these (trust-central-key, untrust-central-key). */
  readonly keyRing: CentralKeyRing;
  readonly signer: EdgeSigner;
  readonly clock: Clock;
  readonly log: Logger;
  readonly link: Link;
  readonly execute: ExecuteCommand;
  readonly options?: CommandOptions;
}

export interface CommandStats {
  readonly received: number;
  readonly executed: number;
  readonly refused: number;
  readonly failed: number;
  /** Refusals by reason (BAD_SIGNATURE, WRONG_SITE, EXPIRED, REPLAYED, ...). */
  readonly refusedBy: Readonly<Record<string, number>>;
}

/** The reason a command whose envelope did not verify is refused with. */
function signatureReason(error: unknown): string {
  if (!(error instanceof ProtocolError)) return "BAD_SIGNATURE";
  switch (error.code) {
    case "OVERSIZED":
    case "WRONG_KIND":
      return error.code;
    default:
      // Unsigned, signature wrong, unknown key, envelope unreadable: not signed by central.
      return "BAD_SIGNATURE";
  }
}

/**
 * Commands from central (remote open, lockdown, door mode): signed (envelope kind
 * "command"), for this site, not expired (`expiresAt <= now` is expired) and never seen
 * before, else refused with a CommandResult naming why (BAD_SIGNATURE, WRONG_SITE,
 * EXPIRED, REPLAYED). A command's id is recorded as seen (in SQLite, with its expiry)
 * before it is executed, so it runs at most once, also across a restart; ids are pruned
 * a day after their command expired (an expired command is refused for that alone).
 * Every command and its outcome is an outbox event of type "command".
 * Commands are handled one at a time, in the order they arrive.
 *
 * A command whose id cannot be recorded (the store takes no writes: disk full) is refused
 * with STORE_UNWRITABLE, not executed: run without a durable record of its id, it could be
 * run again after a restart by replaying the same signed message (a remote open twice).
 * Ids kept in memory would not survive that restart. Central may send it again (a new id)
 * once the edge's status says its store takes writes.
 */
export class CommandHandler {
  private readonly deps: CommandHandlerDeps;
  private readonly executeTimeoutMs: number;
  private readonly seenRetentionMs: number;
  private readonly maxQueuedResults: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly unsent: CommandResult[] = [];
  private counters = { received: 0, executed: 0, refused: 0, failed: 0 };
  private readonly refusedBy: Record<string, number> = {};

  constructor(deps: CommandHandlerDeps) {
    this.deps = deps;
    this.executeTimeoutMs = deps.options?.executeTimeoutMs ?? 30_000;
    this.seenRetentionMs = deps.options?.seenRetentionMs ?? 86_400_000;
    this.maxQueuedResults = deps.options?.maxQueuedResults ?? 100;
  }

  stats(): CommandStats {
    return { ...this.counters, refusedBy: { ...this.refusedBy } };
  }

  /** Forgets seen ids whose commands expired more than a day ago; returns how many. */
  prune(): number {
    try {
      const pruned = this.deps.store.seenCommands.prune(
        this.deps.clock.wallMs() - this.seenRetentionMs,
      );
      if (pruned > 0) this.deps.log.debug({ pruned }, "expired command ids pruned");
      return pruned;
    } catch (err) {
      // A full disk: the expired ids stay until the next prune (they refuse nothing new).
      this.deps.log.warn({ err: (err as Error).message }, "pruning command ids failed");
      return 0;
    }
  }

  /** A message on the command topic; handled after the ones before it. */
  onMessage(bytes: Uint8Array): void {
    this.counters.received++;
    const copy = new Uint8Array(bytes);
    this.chain = this.chain.then(() =>
      this.handle(copy).catch((err: unknown) =>
        this.deps.log.error({ err: (err as Error).message }, "handling a command failed"),
      ),
    );
  }

  /** Resolves when every command received so far has been handled. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Connected again: publish the results that could not be sent. */
  onConnect(): void {
    while (this.unsent.length > 0 && this.deps.link.connected) {
      const result = this.unsent.shift() as CommandResult;
      if (!this.send(result)) {
        this.unsent.unshift(result);
        break;
      }
    }
  }

  private async handle(bytes: Uint8Array): Promise<void> {
    const { site, clock, store } = this.deps;
    let command: SiteCommand;
    if (bytes.byteLength > MAX_MESSAGE_BYTES) {
      this.refuse(undefined, "OVERSIZED");
      return;
    }
    try {
      command = decodeCommand(openEnvelope(bytes, "command", this.deps.publicKeys));
    } catch (err) {
      this.refuse(this.unverified(bytes), signatureReason(err));
      return;
    }
    if (command.site !== site) {
      this.refuse(command, "WRONG_SITE");
      return;
    }
    const now = clock.wallMs();
    if (command.expiresAt <= now) {
      this.refuse(command, "EXPIRED");
      return;
    }
    let fresh: boolean;
    try {
      fresh = store.seenCommands.markSeen(command.id, command.expiresAt, now);
    } catch (err) {
      if (storeFaultCode(err) === undefined) throw err;
      // Without its id on disk a replay could run it again: refused, not run unguarded
      // (seen already? Then it is a replay whatever the store says now).
      this.deps.log.error({ err: (err as Error).message, id: command.id }, "command id not stored");
      this.refuse(command, this.seenBefore(command.id) ? "REPLAYED" : "STORE_UNWRITABLE");
      return;
    }
    if (!fresh) {
      this.refuse(command, "REPLAYED");
      return;
    }
    const execution = await this.execute(command);
    if (execution.outcome === "done") this.counters.executed++;
    else if (execution.outcome === "refused") this.count(execution.reason ?? "REFUSED");
    else this.counters.failed++;
    this.finish(command, execution.outcome, execution.reason ?? null);
  }

  private seenBefore(id: string): boolean {
    try {
      return this.deps.store.seenCommands.has(id);
    } catch {
      return false;
    }
  }

  private async execute(command: SiteCommand): Promise<CommandExecution> {
    const { clock, log } = this.deps;
    const action = command.action;
    // Central's key rotation is the sync's own business, not the doors'.
    if (action.kind === "trust-central-key" || action.kind === "untrust-central-key") {
      const refusal =
        action.kind === "trust-central-key"
          ? this.deps.keyRing.trust(action.keyId, action.publicKeyPem)
          : this.deps.keyRing.untrust(action.keyId);
      if (refusal === undefined) return { outcome: "done" };
      return { outcome: refusal === "STORE_UNWRITABLE" ? "failed" : "refused", reason: refusal };
    }
    let timer: unknown;
    const timeout = new Promise<CommandExecution>((resolve) => {
      timer = clock.setTimeout(
        () => resolve({ outcome: "failed", reason: "TIMEOUT" }),
        this.executeTimeoutMs,
      );
    });
    try {
      log.info({ id: command.id, action: command.action.kind }, "executing command");
      return await Promise.race([this.deps.execute(command), timeout]);
    } catch (err) {
      log.error({ id: command.id, err: (err as Error).message }, "command execution failed");
      return { outcome: "failed", reason: "EXECUTION_ERROR" };
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /**
   * What an unverified message claims to be, only to name it in the refusal: a command
   * inside an envelope that did not verify, or an unsigned command sent bare. Nothing in
   * it is acted on.
   */
  private unverified(bytes: Uint8Array): SiteCommand | undefined {
    try {
      const envelope = acsType("SignedEnvelope").decode(bytes) as unknown as {
        payload?: unknown;
      };
      if (envelope.payload instanceof Uint8Array && envelope.payload.byteLength > 0)
        return decodeCommand(envelope.payload);
    } catch {
      // not an envelope
    }
    try {
      return decodeCommand(bytes);
    } catch {
      return undefined;
    }
  }

  private refuse(command: SiteCommand | undefined, reason: string): void {
    this.count(reason);
    this.deps.log.warn({ security: true, id: command?.id ?? null, reason }, "command refused");
    this.finish(command, "refused", reason);
  }

  private count(reason: string): void {
    this.counters.refused++;
    this.refusedBy[reason] = (this.refusedBy[reason] ?? 0) + 1;
  }

  /** Records the command and its outcome in the outbox, then answers central. */
  private finish(
    command: SiteCommand | undefined,
    outcome: CommandResult["outcome"],
    reason: string | null,
  ): void {
    const { site, clock, events } = this.deps;
    const at = clock.wallMs();
    const action = command?.action;
    events.record([
      {
        at,
        type: "command",
        ...(action && "doorId" in action ? { doorId: action.doorId } : {}),
        payload: {
          id: command?.id ?? null,
          action: action?.kind ?? null,
          ...(action?.kind === "remote-open"
            ? { operator: action.operator, why: action.reason }
            : {}),
          ...(action?.kind === "lockdown" ? { on: action.on, why: action.reason } : {}),
          ...(action?.kind === "door-mode" ? { mode: action.mode } : {}),
          ...(action?.kind === "trust-central-key" || action?.kind === "untrust-central-key"
            ? { keyId: action.keyId }
            : {}),
          ...(command ? { issuedAt: command.issuedAt, expiresAt: command.expiresAt } : {}),
          outcome,
          reason,
        },
      },
    ]);
    // The id of a refused, unverified message is only what it claimed.
    const result: CommandResult = { id: command?.id ?? "", site, outcome, reason, at };
    if (!this.send(result)) {
      this.unsent.push(result);
      if (this.unsent.length > this.maxQueuedResults) this.unsent.shift();
    }
  }

  private send(result: CommandResult): boolean {
    const { site, link, signer } = this.deps;
    const payload = signer.sign("command-result", encodeCommandResult(result));
    return link.publish(topics.commandResult(site), payload, { qos: 1 });
  }
}
