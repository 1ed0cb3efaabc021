/**
 * The firmware-sim control channel: newline-delimited JSON on stdin (requests) and
 * stdout (responses and events). A request carries an `id` that its response echoes;
 * events carry `event` and a CLOCK_MONOTONIC microsecond timestamp `atUs`.
 */
export interface ControlRequest {
  readonly id?: unknown;
  readonly cmd: string;
  readonly [key: string]: unknown;
}

export class ControlError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ControlError";
    this.code = code;
  }
}

export function field<T>(
  request: ControlRequest,
  name: string,
  type: "number" | "string" | "boolean" | "object",
  fallback?: T,
): T {
  const value = request[name];
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ControlError("BAD_REQUEST", `${request.cmd}: "${name}" is required`);
  }
  if (typeof value !== type || value === null) {
    throw new ControlError("BAD_REQUEST", `${request.cmd}: "${name}" must be a ${type}`);
  }
  return value as T;
}
