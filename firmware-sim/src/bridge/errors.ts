/**
 * Errors thrown by the bridge board model. Each class has a stable `code` that callers (the
 * serial protocol's NAK mapping, tests) match on instead of the message.
 */
export abstract class BridgeModelError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option or argument is out of its allowed range (e.g. a non-positive pulse width). */
export class InvalidArgumentError extends BridgeModelError {
  readonly code = "BRIDGE_INVALID_ARGUMENT";

  /**
   * @param argument - path of the bad value, e.g. `"timing.intervalUs"`
   * @param value - the value received
   * @param expected - what was expected, for the message
   */
  constructor(
    readonly argument: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${argument} must be ${expected}, got ${String(value)}`);
  }
}

export type ChannelKind = "relay" | "input" | "reader-port";

/** A relay, input or reader port number the board does not have. */
export class ChannelOutOfRangeError extends BridgeModelError {
  readonly code = "BRIDGE_CHANNEL_OUT_OF_RANGE";

  constructor(
    readonly kind: ChannelKind,
    readonly channel: number,
    readonly count: number,
  ) {
    super(`no ${kind} ${String(channel)}: the board has ${kind}s 0..${count - 1}`);
  }
}

/** Throws {@link ChannelOutOfRangeError} unless `channel` is an integer in `[0, count)`. */
export function checkChannel(kind: ChannelKind, channel: number, count: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= count) {
    throw new ChannelOutOfRangeError(kind, channel, count);
  }
}

/** Throws {@link InvalidArgumentError} unless `value` is a finite number `>= min` (`> min` if `exclusive`). */
export function checkNumber(
  argument: string,
  value: number,
  min: number,
  exclusive: boolean,
  integer = false,
): void {
  const ok =
    Number.isFinite(value) &&
    (exclusive ? value > min : value >= min) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? "an integer" : "a finite number";
    throw new InvalidArgumentError(argument, value, `${kind} ${exclusive ? ">" : ">="} ${min}`);
  }
}
