import { appendFileSync } from "node:fs";
import type { Generated, Kysely } from "kysely";

export type NotificationChannel = "sms" | "email";

/** The outbox table (migration 3) as Kysely sees it; `parameters` is a JSON object. */
export interface NotificationTable {
  id: Generated<number>;
  channel: NotificationChannel;
  recipient: string;
  template: string;
  parameters: string;
  created_at: number;
  sent_at: number | null;
}

export interface NotificationDatabase {
  iam_notification_outbox: NotificationTable;
}

/** Any Kysely (or transaction of one) whose database has the outbox table. */
export type OutboxDb = Kysely<NotificationDatabase>;

/** The templates the IAM sends, with the parameter that carries a secret (masked once sent). */
export const NOTIFICATION_TEMPLATES = {
  "login-code": { channel: "sms", secret: "code" },
  "password-reset": { channel: "email", secret: "token" },
  "account-invitation": { channel: "email", secret: "token" },
  // Sent to the engineer's mobile, apart from the card in the post.
  "card-activation-code": { channel: "sms", secret: "code" },
  "card-shipped": { channel: "email" },
  "card-expiry-warning": { channel: "email" },
  "card-deactivated": { channel: "email" },
  "request-decided": { channel: "email" },
  "request-escalated": { channel: "email" },
  "request-expired": { channel: "email" },
  "key-shipped": { channel: "email" },
  "certificate-expiry-warning": { channel: "email" },
  "access-lapsed": { channel: "email" },
  "review-opened": { channel: "email" },
  "review-finished": { channel: "email" },
  "employment-ended": { channel: "email" },
} as const satisfies Record<string, { channel: NotificationChannel; secret?: string }>;

export type NotificationTemplate = keyof typeof NOTIFICATION_TEMPLATES;

/** One notification to send. */
export interface Notification {
  readonly id: number;
  readonly channel: NotificationChannel;
  readonly recipient: string;
  readonly template: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** Delivers notifications (SMS gateway, mail server; console and file for development). */
export interface NotificationSender {
  send(notification: Notification): Promise<void>;
}

/**
 * Writes one notification to the outbox. Pass the command's transaction: the notification
 * commits with the change or not at all, and is sent after commit by `drainNotifications`.
 */
export async function enqueueNotification<DB extends NotificationDatabase>(
  trx: Kysely<DB>,
  at: number,
  template: NotificationTemplate,
  recipient: string,
  parameters: Readonly<Record<string, string>>,
): Promise<void> {
  await (trx as unknown as OutboxDb)
    .insertInto("iam_notification_outbox")
    .values({
      channel: NOTIFICATION_TEMPLATES[template].channel,
      recipient,
      template,
      parameters: JSON.stringify(parameters),
      created_at: at,
      sent_at: null,
    })
    .execute();
}

const MASKED = "***";

/**
 * Sends every unsent notification in order and marks each sent (its secret parameter
 * masked), one at a time: a crash between sending and marking sends that one again
 * (at least once). Stops at the first failure, leaving it and the rest for the next drain.
 * Returns how many were sent.
 */
export async function drainNotifications<DB extends NotificationDatabase>(
  database: Kysely<DB>,
  sender: NotificationSender,
  clock: { now(): number },
): Promise<number> {
  const db = database as unknown as OutboxDb;
  const rows = await db
    .selectFrom("iam_notification_outbox")
    .selectAll()
    .where("sent_at", "is", null)
    .orderBy("id")
    .execute();
  let sent = 0;
  for (const row of rows) {
    const parameters = JSON.parse(row.parameters) as Record<string, string>;
    await sender.send({
      id: row.id,
      channel: row.channel,
      recipient: row.recipient,
      template: row.template,
      parameters,
      createdAt: row.created_at,
    });
    const secret = (NOTIFICATION_TEMPLATES as Record<string, { secret?: string } | undefined>)[
      row.template
    ]?.secret;
    const masked = secret === undefined ? parameters : { ...parameters, [secret]: MASKED };
    await db
      .updateTable("iam_notification_outbox")
      .set({ sent_at: clock.now(), parameters: JSON.stringify(masked) })
      .where("id", "=", row.id)
      .where("sent_at", "is", null)
      .execute();
    sent++;
  }
  return sent;
}

/** Keeps what it is sent; for tests. */
export class MemorySender implements NotificationSender {
  readonly sent: Notification[] = [];

  async send(notification: Notification): Promise<void> {
    this.sent.push(notification);
  }

  /** The newest notification of `template` to `recipient`. */
  last(template: string, recipient?: string): Notification | undefined {
    return this.sent
      .filter(
        (n) => n.template === template && (recipient === undefined || n.recipient === recipient),
      )
      .at(-1);
  }
}

/**
 * Development: prints each notification, secrets included, to the given writer (stdout by
 * default). Never use it where the output is collected as logs.
 */
export class ConsoleSender implements NotificationSender {
  constructor(
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {}

  async send(n: Notification): Promise<void> {
    this.write(`[${n.channel} to ${n.recipient}] ${n.template} ${JSON.stringify(n.parameters)}\n`);
  }
}

/** Development: appends each notification as one JSON line to a file (mode 0600). */
export class FileSender implements NotificationSender {
  constructor(private readonly path: string) {}

  async send(n: Notification): Promise<void> {
    appendFileSync(this.path, `${JSON.stringify(n)}\n`, { mode: 0o600 });
  }
}
