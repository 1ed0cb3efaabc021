import {
  SNAPSHOT_REASONS,
  type SnapshotChunk,
  type SnapshotManifest,
  type SnapshotRequest,
} from "../messages.js";
import { guard } from "../state-codec/shared.js";
import {
  checkBytes,
  checkCount,
  checkInstant,
  checkNonEmpty,
  checkSite,
  checkUint32,
  enumCode,
  enumCodes,
  enumValue,
} from "../validate.js";
import { malformed } from "../wire.js";
import { bytes, decodeWith, encodeWith, int, message, str, types } from "./proto.js";

const SNAPSHOT_REASON_CODES = enumCodes(SNAPSHOT_REASONS);
const SHA256_BYTES = 32;

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
