import type { Type } from "protobufjs/light.js";
import {
  COMMAND_KINDS,
  COMMAND_OUTCOMES,
  type CommandAction,
  type CommandResult,
  type EdgeStatus,
  type EventAck,
  type EventBatch,
  type EventRecord,
  type ReaderHealth,
  type SiteCommand,
  SNAPSHOT_REASONS,
  type SnapshotChunk,
  type SnapshotManifest,
  type SnapshotRequest,
} from "./messages.js";
import { DOOR_MODES } from "./model.js";
import { acsType } from "./proto-root.js";
import { checkSize, guard } from "./state-codec.js";
import {
  checkBool,
  checkBytes,
  checkCount,
  checkId,
  checkInstant,
  checkNonEmpty,
  checkSite,
  checkString,
  checkUint32,
  enumCode,
  enumCodes,
  enumValue,
} from "./validate.js";
import { malformed } from "./wire.js";

/**
 * Encoders and decoders of every message (proto/acs.proto). Decoders return the types of
 * model.ts and messages.ts exactly: null where the model says null, optional fields
 * absent when absent, arrays present even when empty. They check what protobuf cannot
 * (enum values the model knows, non-empty identifiers, site ids, positive ids, integers
 * below 2^53) and throw nothing but ProtocolError: MALFORMED for any bad input,
 * OVERSIZED for more than MAX_MESSAGE_BYTES (every decoder but decodeSiteState). Encoders
 * check the same and throw ProtocolError("MALFORMED") for a value they cannot send.
 *
 * SiteState and SiteDelta use the hand-written codec of state-codec.ts (millions of
 * records); the other messages go through protobufjs.
 */

export {
  decodeDelta,
  decodeDeltaUnlimited,
  decodeSiteState,
  encodeDelta,
  encodeSiteState,
  RECORD_KINDS,
  type RecordKind,
} from "./state-codec.js";

const DOOR_MODE_CODES = enumCodes(DOOR_MODES);
const SNAPSHOT_REASON_CODES = enumCodes(SNAPSHOT_REASONS);
const COMMAND_OUTCOME_CODES = enumCodes(COMMAND_OUTCOMES);
const SHA256_BYTES = 32;

/** A message as protobufjs decodes it. */
type Decoded = Readonly<Record<string, unknown>>;

const types = {
  manifest: acsType("SnapshotManifest"),
  chunk: acsType("SnapshotChunk"),
  request: acsType("SnapshotRequest"),
  batch: acsType("EventBatch"),
  ack: acsType("EventAck"),
  status: acsType("EdgeStatus"),
  command: acsType("SiteCommand"),
  result: acsType("CommandResult"),
};

function encodeWith(type: Type, value: object): Uint8Array {
  // A fresh plain Uint8Array: protobufjs may hand out a view of a shared Buffer pool.
  return new Uint8Array(type.encode(value).finish());
}

function decodeWith(type: Type, bytes: Uint8Array, what: string): Decoded {
  if (!(bytes instanceof Uint8Array)) throw malformed(`${what}: input is not bytes`);
  checkSize(bytes, what);
  return type.decode(bytes) as unknown as Decoded;
}

/** A protobufjs integer (a number, or a Long for 64-bit fields) as a number (NaN if neither). */
function int(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number.NaN;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function optionalStr(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function bytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? new Uint8Array(value) : new Uint8Array(0);
}

function list(value: unknown): readonly Decoded[] {
  return Array.isArray(value) ? (value as Decoded[]) : [];
}

function message(value: unknown): Decoded | null {
  return typeof value === "object" && value !== null ? (value as Decoded) : null;
}

function checkList(value: unknown, what: string): void {
  if (!Array.isArray(value)) throw malformed(`${what}: must be an array`);
}

// ---------------------------------------------------------------------------------------
// SnapshotManifest
// ---------------------------------------------------------------------------------------

function validateManifest(m: SnapshotManifest): void {
  checkSite(m.site, "SnapshotManifest");
  checkCount(m.version, "SnapshotManifest.version");
  checkNonEmpty(m.requestId, "SnapshotManifest.requestId");
  checkUint32(m.chunkCount, "SnapshotManifest.chunkCount");
  checkCount(m.totalBytes, "SnapshotManifest.totalBytes");
  if (m.chunkCount < 1 || m.chunkCount > m.totalBytes) {
    throw malformed(
      `SnapshotManifest: ${m.chunkCount} chunks cannot hold ${m.totalBytes} bytes (1 ..= totalBytes chunks)`,
    );
  }
  checkBytes(m.sha256, "SnapshotManifest.sha256");
  if (m.sha256.length !== SHA256_BYTES) {
    throw malformed(`SnapshotManifest.sha256: ${m.sha256.length} bytes, not ${SHA256_BYTES}`);
  }
  if (typeof m.counts !== "object" || m.counts === null) {
    throw malformed("SnapshotManifest.counts: must be an object");
  }
  for (const [kind, count] of Object.entries(m.counts)) {
    checkNonEmpty(kind, "SnapshotManifest.counts key");
    checkCount(count, `SnapshotManifest.counts.${kind}`);
  }
  checkInstant(m.createdAt, "SnapshotManifest.createdAt");
}

export function encodeManifest(manifest: SnapshotManifest): Uint8Array {
  return guard("SnapshotManifest", () => {
    validateManifest(manifest);
    return encodeWith(types.manifest, manifest);
  });
}

export function decodeManifest(input: Uint8Array): SnapshotManifest {
  return guard("SnapshotManifest", () => {
    const m = decodeWith(types.manifest, input, "SnapshotManifest");
    const counts = message(m.counts) ?? {};
    const manifest: SnapshotManifest = {
      site: str(m.site),
      version: int(m.version),
      requestId: str(m.requestId),
      chunkCount: int(m.chunkCount),
      totalBytes: int(m.totalBytes),
      sha256: bytes(m.sha256),
      counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, int(v)])),
      createdAt: int(m.createdAt),
    };
    validateManifest(manifest);
    return manifest;
  });
}

// ---------------------------------------------------------------------------------------
// SnapshotChunk
// ---------------------------------------------------------------------------------------

function validateChunk(c: SnapshotChunk): void {
  checkSite(c.site, "SnapshotChunk");
  checkCount(c.version, "SnapshotChunk.version");
  checkNonEmpty(c.requestId, "SnapshotChunk.requestId");
  checkUint32(c.index, "SnapshotChunk.index");
  checkBytes(c.data, "SnapshotChunk.data");
}

export function encodeChunk(chunk: SnapshotChunk): Uint8Array {
  return guard("SnapshotChunk", () => {
    validateChunk(chunk);
    return encodeWith(types.chunk, chunk);
  });
}

export function decodeChunk(input: Uint8Array): SnapshotChunk {
  return guard("SnapshotChunk", () => {
    const m = decodeWith(types.chunk, input, "SnapshotChunk");
    const chunk: SnapshotChunk = {
      site: str(m.site),
      version: int(m.version),
      requestId: str(m.requestId),
      index: int(m.index),
      data: bytes(m.data),
    };
    validateChunk(chunk);
    return chunk;
  });
}

// ---------------------------------------------------------------------------------------
// SnapshotRequest
// ---------------------------------------------------------------------------------------

function validateSnapshotRequest(r: SnapshotRequest): void {
  checkSite(r.site, "SnapshotRequest");
  checkNonEmpty(r.requestId, "SnapshotRequest.requestId");
  checkCount(r.haveVersion, "SnapshotRequest.haveVersion");
}

export function encodeSnapshotRequest(request: SnapshotRequest): Uint8Array {
  return guard("SnapshotRequest", () => {
    validateSnapshotRequest(request);
    return encodeWith(types.request, {
      site: request.site,
      requestId: request.requestId,
      haveVersion: request.haveVersion,
      reason: enumCode(SNAPSHOT_REASON_CODES, request.reason, "SnapshotRequest.reason"),
    });
  });
}

export function decodeSnapshotRequest(input: Uint8Array): SnapshotRequest {
  return guard("SnapshotRequest", () => {
    const m = decodeWith(types.request, input, "SnapshotRequest");
    const request: SnapshotRequest = {
      site: str(m.site),
      requestId: str(m.requestId),
      haveVersion: int(m.haveVersion),
      reason: enumValue(SNAPSHOT_REASONS, int(m.reason), "SnapshotRequest.reason"),
    };
    validateSnapshotRequest(request);
    return request;
  });
}

// ---------------------------------------------------------------------------------------
// EventBatch, EventAck
// ---------------------------------------------------------------------------------------

function validateEvent(e: EventRecord): void {
  checkId(e.seq, "EventRecord.seq");
  checkInstant(e.at, "EventRecord.at");
  checkNonEmpty(e.type, "EventRecord.type");
  if (e.doorId !== null) checkNonEmpty(e.doorId, "EventRecord.doorId");
  if (e.readerId !== null) checkNonEmpty(e.readerId, "EventRecord.readerId");
  checkString(e.payloadJson, "EventRecord.payloadJson");
}

function validateEventBatch(b: EventBatch): void {
  checkSite(b.site, "EventBatch");
  checkCount(b.batchId, "EventBatch.batchId");
  checkList(b.events, "EventBatch.events");
  for (const e of b.events) validateEvent(e);
}

export function encodeEventBatch(batch: EventBatch): Uint8Array {
  return guard("EventBatch", () => {
    validateEventBatch(batch);
    return encodeWith(types.batch, batch);
  });
}

export function decodeEventBatch(input: Uint8Array): EventBatch {
  return guard("EventBatch", () => {
    const m = decodeWith(types.batch, input, "EventBatch");
    const batch: EventBatch = {
      site: str(m.site),
      batchId: int(m.batchId),
      events: list(m.events).map(
        (e): EventRecord => ({
          seq: int(e.seq),
          at: int(e.at),
          type: str(e.type),
          doorId: optionalStr(e.doorId),
          readerId: optionalStr(e.readerId),
          payloadJson: str(e.payloadJson),
        }),
      ),
    };
    validateEventBatch(batch);
    return batch;
  });
}

function validateEventAck(a: EventAck): void {
  checkSite(a.site, "EventAck");
  checkCount(a.batchId, "EventAck.batchId");
  checkList(a.ranges, "EventAck.ranges");
  for (const range of a.ranges) {
    if (!Array.isArray(range) || range.length !== 2) {
      throw malformed("EventAck.ranges: each range must be [from, to]");
    }
    const [from, to] = range;
    checkId(from, "EventAck.ranges from");
    checkId(to, "EventAck.ranges to");
    if (to < from) throw malformed(`EventAck.ranges: [${from}, ${to}] ends before it starts`);
  }
}

export function encodeEventAck(ack: EventAck): Uint8Array {
  return guard("EventAck", () => {
    validateEventAck(ack);
    return encodeWith(types.ack, {
      site: ack.site,
      batchId: ack.batchId,
      ranges: ack.ranges.map(([from, to]) => ({ from, to })),
    });
  });
}

export function decodeEventAck(input: Uint8Array): EventAck {
  return guard("EventAck", () => {
    const m = decodeWith(types.ack, input, "EventAck");
    const ack: EventAck = {
      site: str(m.site),
      batchId: int(m.batchId),
      ranges: list(m.ranges).map((r): readonly [number, number] => [int(r.from), int(r.to)]),
    };
    validateEventAck(ack);
    return ack;
  });
}

// ---------------------------------------------------------------------------------------
// EdgeStatus
// ---------------------------------------------------------------------------------------

function validateEdgeStatus(s: EdgeStatus): void {
  checkSite(s.site, "EdgeStatus");
  checkBool(s.online, "EdgeStatus.online");
  checkCount(s.stateVersion, "EdgeStatus.stateVersion");
  checkCount(s.outboxDepth, "EdgeStatus.outboxDepth");
  checkBool(s.outboxAlarm, "EdgeStatus.outboxAlarm");
  checkList(s.readers, "EdgeStatus.readers");
  for (const r of s.readers) {
    checkNonEmpty(r.bus, "ReaderHealth.bus");
    if (r.address !== undefined) checkUint32(r.address, "ReaderHealth.address");
    checkNonEmpty(r.state, "ReaderHealth.state");
  }
  checkInstant(s.at, "EdgeStatus.at");
}

export function encodeEdgeStatus(status: EdgeStatus): Uint8Array {
  return guard("EdgeStatus", () => {
    validateEdgeStatus(status);
    return encodeWith(types.status, status);
  });
}

export function decodeEdgeStatus(input: Uint8Array): EdgeStatus {
  return guard("EdgeStatus", () => {
    const m = decodeWith(types.status, input, "EdgeStatus");
    const status: EdgeStatus = {
      site: str(m.site),
      online: m.online === true,
      stateVersion: int(m.stateVersion),
      outboxDepth: int(m.outboxDepth),
      outboxAlarm: m.outboxAlarm === true,
      readers: list(m.readers).map(
        (r): ReaderHealth =>
          r.address == null
            ? { bus: str(r.bus), state: str(r.state) }
            : { bus: str(r.bus), address: int(r.address), state: str(r.state) },
      ),
      at: int(m.at),
    };
    validateEdgeStatus(status);
    return status;
  });
}

// ---------------------------------------------------------------------------------------
// SiteCommand, CommandResult
// ---------------------------------------------------------------------------------------

function validateCommand(c: SiteCommand): void {
  checkNonEmpty(c.id, "SiteCommand.id");
  checkSite(c.site, "SiteCommand");
  checkInstant(c.issuedAt, "SiteCommand.issuedAt");
  checkInstant(c.expiresAt, "SiteCommand.expiresAt");
  const a = c.action;
  if (typeof a !== "object" || a === null) throw malformed("SiteCommand.action: missing");
  switch (a.kind) {
    case "remote-open":
      checkNonEmpty(a.doorId, "SiteCommand.action.doorId");
      checkString(a.reason, "SiteCommand.action.reason");
      checkString(a.operator, "SiteCommand.action.operator");
      return;
    case "lockdown":
      checkBool(a.on, "SiteCommand.action.on");
      checkString(a.reason, "SiteCommand.action.reason");
      return;
    case "door-mode":
      checkNonEmpty(a.doorId, "SiteCommand.action.doorId");
      enumCode(DOOR_MODE_CODES, a.mode, "SiteCommand.action.mode");
      return;
    default:
      throw malformed(
        `SiteCommand.action.kind: unknown value ${JSON.stringify((a as { kind?: unknown }).kind)} (known: ${COMMAND_KINDS.join(", ")})`,
      );
  }
}

function actionToProto(a: CommandAction): object {
  switch (a.kind) {
    case "remote-open":
      return { remoteOpen: { doorId: a.doorId, reason: a.reason, operator: a.operator } };
    case "lockdown":
      return { lockdown: { on: a.on, reason: a.reason } };
    case "door-mode":
      return {
        doorMode: { doorId: a.doorId, mode: enumCode(DOOR_MODE_CODES, a.mode, "mode") },
      };
  }
}

function actionFromProto(m: Decoded): CommandAction {
  switch (m.action) {
    case "remoteOpen": {
      const a = message(m.remoteOpen) ?? {};
      return {
        kind: "remote-open",
        doorId: str(a.doorId),
        reason: str(a.reason),
        operator: str(a.operator),
      };
    }
    case "lockdown": {
      const a = message(m.lockdown) ?? {};
      return { kind: "lockdown", on: a.on === true, reason: str(a.reason) };
    }
    case "doorMode": {
      const a = message(m.doorMode) ?? {};
      return {
        kind: "door-mode",
        doorId: str(a.doorId),
        mode: enumValue(DOOR_MODES, int(a.mode), "SiteCommand.action.mode"),
      };
    }
    default:
      throw malformed("SiteCommand.action: missing or unknown");
  }
}

export function encodeCommand(command: SiteCommand): Uint8Array {
  return guard("SiteCommand", () => {
    validateCommand(command);
    return encodeWith(types.command, {
      id: command.id,
      site: command.site,
      issuedAt: command.issuedAt,
      expiresAt: command.expiresAt,
      ...actionToProto(command.action),
    });
  });
}

export function decodeCommand(input: Uint8Array): SiteCommand {
  return guard("SiteCommand", () => {
    const m = decodeWith(types.command, input, "SiteCommand");
    const command: SiteCommand = {
      id: str(m.id),
      site: str(m.site),
      issuedAt: int(m.issuedAt),
      expiresAt: int(m.expiresAt),
      action: actionFromProto(m),
    };
    validateCommand(command);
    return command;
  });
}

function validateCommandResult(r: CommandResult): void {
  checkNonEmpty(r.id, "CommandResult.id");
  checkSite(r.site, "CommandResult");
  enumCode(COMMAND_OUTCOME_CODES, r.outcome, "CommandResult.outcome");
  if (r.reason !== null) checkString(r.reason, "CommandResult.reason");
  checkInstant(r.at, "CommandResult.at");
}

export function encodeCommandResult(result: CommandResult): Uint8Array {
  return guard("CommandResult", () => {
    validateCommandResult(result);
    return encodeWith(types.result, {
      id: result.id,
      site: result.site,
      outcome: enumCode(COMMAND_OUTCOME_CODES, result.outcome, "CommandResult.outcome"),
      reason: result.reason,
      at: result.at,
    });
  });
}

export function decodeCommandResult(input: Uint8Array): CommandResult {
  return guard("CommandResult", () => {
    const m = decodeWith(types.result, input, "CommandResult");
    const result: CommandResult = {
      id: str(m.id),
      site: str(m.site),
      outcome: enumValue(COMMAND_OUTCOMES, int(m.outcome), "CommandResult.outcome"),
      reason: optionalStr(m.reason),
      at: int(m.at),
    };
    validateCommandResult(result);
    return result;
  });
}
