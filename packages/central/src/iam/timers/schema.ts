import type { Generated } from "kysely";

/**
 * Durable timers: every dated change (an end of employment at a date, a certificate's
 * lapse, a request's lead time, an expiry, a review's deadline, a warning ahead of one)
 * is a row here, fired by the timer runner when due, also when it fell due while central
 * was stopped (at start-up). One pending timer per (kind, subject).
 */
export const TIMERS_SQL = `
CREATE TABLE iam_timer (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  fired_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
) STRICT;
CREATE UNIQUE INDEX iam_timer_pending ON iam_timer(kind, subject) WHERE fired_at IS NULL;
CREATE INDEX iam_timer_due ON iam_timer(due_at) WHERE fired_at IS NULL;
`;

export interface TimerTable {
  id: Generated<number>;
  kind: string;
  subject: string;
  due_at: number;
  payload: string;
  created_at: number;
  fired_at: number | null;
  attempts: number;
  last_error: string | null;
}

export interface TimerTables {
  iam_timer: TimerTable;
}
