import { expect } from "vitest";
import { BadPayloadError, UnknownCodeError } from "../../src/errors.js";

/** "02 80 25" -> bytes; golden vectors are written the way the specification prints them. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from(digits.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
}

/** What `run` throws; fails the test when it returns. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error("did not throw");
}

/** `run` throws BadPayloadError for `messageCode`, its message matching `problem`. */
export function expectBadPayload(run: () => unknown, messageCode: number, problem: RegExp): void {
  const err = thrown(run);
  expect(err).toBeInstanceOf(BadPayloadError);
  expect((err as BadPayloadError).messageCode).toBe(messageCode);
  expect((err as BadPayloadError).message).toMatch(problem);
}

/** `run` throws UnknownCodeError for `messageCode`. */
export function expectUnknownCode(run: () => unknown, messageCode: number): void {
  const err = thrown(run);
  expect(err).toBeInstanceOf(UnknownCodeError);
  expect((err as UnknownCodeError).messageCode).toBe(messageCode);
}
