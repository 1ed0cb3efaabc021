import { createHash } from "node:crypto";
import { ProtocolError } from "./errors.js";
import { CHUNK_BYTES } from "./limits.js";
import type { SnapshotChunk, SnapshotManifest } from "./messages.js";
import type { SiteState } from "./model.js";
import { decodeSiteState, encodeSiteState, RECORD_KINDS } from "./state-codec.js";
import { malformed } from "./wire.js";

/**
 * A full state travels as a signed SnapshotManifest (site, version, the edge's request
 * id, chunk count, total bytes, SHA-256, counts per kind) and the encoded SiteState cut
 * into chunks of CHUNK_BYTES, sent unsigned: the manifest's hash vouches for them.
 */

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/** Records per kind of a state, as the manifest lists them. */
export function stateCounts(state: SiteState): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of RECORD_KINDS) counts[kind] = state[kind].length;
  return counts;
}

/**
 * Encodes `state` and cuts it into chunks of CHUNK_BYTES (the last one shorter) with a
 * manifest that describes them. `requestId` echoes the edge's SnapshotRequest. The
 * chunks' data are views of one buffer (no copy of a large state): do not change them.
 */
export function splitSnapshot(
  state: SiteState,
  requestId: string,
  createdAt: number,
): { manifest: SnapshotManifest; chunks: SnapshotChunk[] } {
  const bytes = encodeSiteState(state);
  const chunks: SnapshotChunk[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; offset += CHUNK_BYTES, index++) {
    chunks.push({
      site: state.site,
      version: state.version,
      requestId,
      index,
      data: bytes.subarray(offset, offset + CHUNK_BYTES),
    });
  }
  const manifest: SnapshotManifest = {
    site: state.site,
    version: state.version,
    requestId,
    chunkCount: chunks.length,
    totalBytes: bytes.length,
    sha256: sha256(bytes),
    counts: stateCounts(state),
    createdAt,
  };
  return { manifest, chunks };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks reassembled snapshot bytes against their manifest (length and SHA-256); throws
 * ProtocolError("HASH_MISMATCH") if they differ. For an edge that keeps the chunks in
 * its own store and puts them together again after a restart.
 */
export function verifySnapshotBytes(manifest: SnapshotManifest, bytes: Uint8Array): void {
  if (bytes.length !== manifest.totalBytes) {
    throw new ProtocolError(
      "HASH_MISMATCH",
      `snapshot ${manifest.site}@${manifest.version}: ${bytes.length} bytes, manifest says ${manifest.totalBytes}`,
    );
  }
  if (!sameBytes(sha256(bytes), manifest.sha256)) {
    throw new ProtocolError(
      "HASH_MISMATCH",
      `snapshot ${manifest.site}@${manifest.version}: SHA-256 differs from the manifest's`,
    );
  }
}

/**
 * The state of verified snapshot bytes: verifySnapshotBytes, decodeSiteState, then checks
 * that the state is the manifest's (site, version, counts per kind): MALFORMED if not.
 */
export function decodeSnapshotBytes(manifest: SnapshotManifest, bytes: Uint8Array): SiteState {
  verifySnapshotBytes(manifest, bytes);
  const state = decodeSiteState(bytes);
  if (state.site !== manifest.site || state.version !== manifest.version) {
    throw malformed(
      `snapshot: state ${state.site}@${state.version} under manifest ${manifest.site}@${manifest.version}`,
    );
  }
  for (const kind of RECORD_KINDS) {
    const expected = manifest.counts[kind];
    if (expected !== undefined && expected !== state[kind].length) {
      throw malformed(`snapshot: ${state[kind].length} ${kind}, manifest says ${expected}`);
    }
  }
  return state;
}

/**
 * Puts a snapshot together from its chunks, in any order, each at most once (a chunk
 * seen before is ignored).
 */
export class SnapshotAssembler {
  readonly manifest: SnapshotManifest;
  private readonly chunks: Array<Uint8Array | undefined>;
  private received = 0;

  constructor(manifest: SnapshotManifest) {
    if (!Number.isInteger(manifest.chunkCount) || manifest.chunkCount < 1) {
      throw malformed(`snapshot manifest: chunkCount ${manifest.chunkCount}`);
    }
    this.manifest = manifest;
    this.chunks = new Array<Uint8Array | undefined>(manifest.chunkCount).fill(undefined);
  }

  /**
   * Takes one chunk; true when all chunks are in. A chunk of another site, version or
   * request, or with an index beyond the manifest's, is refused (ProtocolError MALFORMED).
   */
  add(chunk: SnapshotChunk): boolean {
    const m = this.manifest;
    if (chunk.site !== m.site || chunk.version !== m.version || chunk.requestId !== m.requestId) {
      throw malformed(
        `snapshot chunk of ${chunk.site}@${chunk.version} request ${chunk.requestId}, expected ${m.site}@${m.version} request ${m.requestId}`,
      );
    }
    if (!Number.isInteger(chunk.index) || chunk.index < 0 || chunk.index >= m.chunkCount) {
      throw malformed(`snapshot chunk ${chunk.index} of ${m.chunkCount}`);
    }
    if (this.chunks[chunk.index] === undefined) {
      this.chunks[chunk.index] = chunk.data;
      this.received++;
    }
    return this.complete;
  }

  /** All chunks are in. */
  get complete(): boolean {
    return this.received === this.manifest.chunkCount;
  }

  /** Indexes of the chunks not yet received, ascending. */
  get missing(): number[] {
    const missing: number[] = [];
    for (let i = 0; i < this.chunks.length; i++) if (this.chunks[i] === undefined) missing.push(i);
    return missing;
  }

  /**
   * The chunks' bytes in order, checked against the manifest: ProtocolError INCOMPLETE
   * while chunks are missing, HASH_MISMATCH if length or SHA-256 differ.
   */
  bytes(): Uint8Array {
    if (!this.complete) {
      throw new ProtocolError(
        "INCOMPLETE",
        `snapshot ${this.manifest.site}@${this.manifest.version}: ${this.manifest.chunkCount - this.received} of ${this.manifest.chunkCount} chunks missing`,
      );
    }
    let total = 0;
    for (const c of this.chunks) total += c!.length;
    if (total !== this.manifest.totalBytes) {
      throw new ProtocolError(
        "HASH_MISMATCH",
        `snapshot ${this.manifest.site}@${this.manifest.version}: chunks hold ${total} bytes, manifest says ${this.manifest.totalBytes}`,
      );
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c!, offset);
      offset += c!.length;
    }
    verifySnapshotBytes(this.manifest, out);
    return out;
  }

  /** The state: bytes(), decoded and checked against the manifest (decodeSnapshotBytes). */
  state(): SiteState {
    return decodeSnapshotBytes(this.manifest, this.bytes());
  }
}
