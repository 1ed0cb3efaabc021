import type { EventStore } from "../service/event-store.js";
import { CentralCommands } from "../state/commands.js";
import type { CentralStore } from "../state/store.js";
import { AccountService, type AccountServiceOptions } from "./accounts/service.js";
import { CardService } from "./cards/service.js";
import { CatalogueService } from "./catalogue/service.js";
import { CertificateService } from "./certificates/service.js";
import { CompanyService, type IamLog } from "./companies/service.js";
import type { IamConfig } from "./config.js";
import { createIamContext, type IamContext } from "./context.js";
import { openIamDb } from "./db.js";
import { DoorService } from "./helpdesk/doors.js";
import { EventFollower } from "./helpdesk/follower.js";
import type { RemoteOpener } from "./helpdesk/remote-open.js";
import { HelpdeskService } from "./helpdesk/service.js";
import { PersonService } from "./persons/service.js";
import { AuditQueryService } from "./reports/audit-query.js";
import { ReportService } from "./reports/service.js";
import { KeyService } from "./requests/keys.js";
import { RequestService } from "./requests/service.js";
import { ReviewService } from "./reviews/service.js";
import { TimerRunner } from "./timers/timers.js";

export interface WorkflowLog extends IamLog {
  error(details: object, message: string): void;
}

export interface WorkflowOptions {
  readonly store: CentralStore;
  readonly clock: { now(): number };
  readonly log?: WorkflowLog;
  readonly config?: Partial<IamConfig>;
  /** Password hashing cost (tests and benchmarks lower it). */
  readonly argon2?: AccountServiceOptions["argon2"];
  /** The edges' events (central serve's event store): enrollments, first use, visits. */
  readonly events?: EventStore;
  /** Sends a signed remote-open command to an edge (the sync service). */
  readonly remoteOpener?: RemoteOpener;
  /** How often the event follower looks for new events, ms (1000 by default). */
  readonly followEveryMs?: number;
}

/**
 * The whole IAM workflow over one central store: every service on one context, the
 * durable timers of all of them in one runner, and the follower of the edges' events.
 */
export class Workflow {
  readonly ctx: IamContext;
  readonly accounts: AccountService;
  readonly companies: CompanyService;
  readonly persons: PersonService;
  readonly cards: CardService;
  readonly catalogue: CatalogueService;
  readonly requests: RequestService;
  readonly keys: KeyService;
  readonly certificates: CertificateService;
  readonly reviews: ReviewService;
  readonly doors: DoorService;
  readonly helpdesk: HelpdeskService;
  readonly reports: ReportService;
  readonly audit: AuditQueryService;
  readonly timers: TimerRunner;
  readonly follower: EventFollower | undefined;
  private readonly log: WorkflowLog | undefined;
  private readonly followEveryMs: number;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private following = false;

  constructor(options: WorkflowOptions) {
    const db = openIamDb(options.store.db);
    const commands = new CentralCommands(options.store, options.clock);
    const { clock, log } = options;
    this.log = log;
    this.ctx = createIamContext({ db, commands, clock, config: options.config, log });
    const ctx = this.ctx;
    this.accounts = new AccountService({ db, clock, log, argon2: options.argon2 });
    this.companies = new CompanyService({ db, clock, log, commands, config: options.config });
    this.persons = new PersonService(ctx);
    this.cards = new CardService(ctx);
    this.catalogue = new CatalogueService(ctx);
    this.requests = new RequestService(ctx);
    this.keys = new KeyService(ctx);
    this.certificates = new CertificateService(ctx);
    this.reviews = new ReviewService(ctx);
    this.doors = new DoorService(ctx);
    this.helpdesk = new HelpdeskService(ctx, {
      events: options.events,
      opener: options.remoteOpener,
    });
    this.reports = new ReportService(ctx, { events: options.events });
    this.audit = new AuditQueryService(db);
    this.timers = new TimerRunner({
      db,
      clock,
      log,
      handlers: {
        ...this.persons.timerHandlers(),
        ...this.cards.timerHandlers(),
        ...this.requests.timerHandlers(),
        ...this.certificates.timerHandlers(),
        ...this.reviews.timerHandlers(),
      },
      fired: () => ctx.committed(),
    });
    ctx.onCommitted(() => this.timers.poke());
    this.follower = options.events ? new EventFollower(ctx, options.events) : undefined;
    this.followEveryMs = options.followEveryMs ?? 1000;
  }

  /**
   * Fires every timer that fell due while central was stopped (a dated end of employment,
   * a lapse, an expiry: their deltas go out with the next publish), arms the next one,
   * makes sure the access reviews are scheduled, and follows the edges' events.
   */
  async start(): Promise<number> {
    await this.reviews.ensureScheduled();
    const fired = await this.timers.start();
    if (fired > 0) this.log?.info({ fired }, "timers that fell due while stopped fired");
    if (this.follower) this.scheduleFollow(0);
    return fired;
  }

  stop(): void {
    this.timers.stop();
    if (this.followTimer !== undefined) clearTimeout(this.followTimer);
    this.followTimer = undefined;
    this.following = false;
  }

  /** Reads the edges' new events until caught up (tests call it; start() runs it on a timer). */
  follow(): Promise<number> {
    return this.follower ? this.follower.catchUp() : Promise.resolve(0);
  }

  private scheduleFollow(ms: number): void {
    this.following = true;
    this.followTimer = setTimeout(() => {
      this.follow()
        .catch((error: unknown) =>
          this.log?.error({ err: { message: (error as Error).message } }, "event follower failed"),
        )
        .finally(() => {
          if (this.following) this.scheduleFollow(this.followEveryMs);
        });
    }, ms);
    this.followTimer.unref?.();
  }
}
