import { Writable } from "node:stream";
import pino, { type Logger } from "pino";

/** A pino logger whose JSON lines are kept for assertions. */
export function logSink(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split("\n")) if (text) lines.push(JSON.parse(text));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
