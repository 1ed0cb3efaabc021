import type { Logger } from "pino";

/**
 * Logs repeated errors of one kind at most once per interval, with the count since the
 * last line, so a noisy line cannot flood the log while every error is still counted.
 */
export class ThrottledErrorLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(log: Logger, now: () => number, intervalMs = 1000) {
    this.log = log;
    this.now = now;
    this.intervalMs = intervalMs;
  }

  warn(code: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const entry = this.last.get(code);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.log.warn({ code, ...fields, suppressedSinceLast: entry?.suppressed ?? 0 }, message);
    this.last.set(code, { at: now, suppressed: 0 });
  }
}
