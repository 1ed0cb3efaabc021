import type { Type } from "protobufjs/light.js";
import { acsType } from "../proto-root.js";
import { checkSize } from "../state-codec/shared.js";
import { malformed } from "../wire.js";

/** A message as protobufjs decodes it. */
export type Decoded = Readonly<Record<string, unknown>>;

export const types = {
  manifest: acsType("SnapshotManifest"),
  chunk: acsType("SnapshotChunk"),
  request: acsType("SnapshotRequest"),
  batch: acsType("EventBatch"),
  ack: acsType("EventAck"),
  status: acsType("EdgeStatus"),
  command: acsType("SiteCommand"),
  result: acsType("CommandResult"),
  centralStatus: acsType("CentralStatus"),
};

export function encodeWith(type: Type, value: object): Uint8Array {
  // A fresh plain Uint8Array: protobufjs may hand out a view of a shared Buffer pool.
  return new Uint8Array(type.encode(value).finish());
}

export function decodeWith(type: Type, bytes: Uint8Array, what: string): Decoded {
  if (!(bytes instanceof Uint8Array)) throw malformed(`${what}: input is not bytes`);
  checkSize(bytes, what);
  return type.decode(bytes) as unknown as Decoded;
}

/** A protobufjs integer (a number, or a Long for 64-bit fields) as a number (NaN if neither). */
export function int(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number.NaN;
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function optionalStr(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function bytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(0);
}

export function list(value: unknown): readonly Decoded[] {
  return Array.isArray(value) ? (value as Decoded[]) : [];
}

export function message(value: unknown): Decoded | null {
  return typeof value === "object" && value !== null ? (value as Decoded) : null;
}

export function checkList(value: unknown, what: string): void {
  if (!Array.isArray(value)) throw malformed(`${what}: must be an array`);
}
