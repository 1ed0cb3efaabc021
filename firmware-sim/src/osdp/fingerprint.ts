/**
 * Synthetic fingerprints: each finger (named by a string such as "alice-right-index") has a
 * fixed set of minutiae derived from a hash of its name; every capture sees that set through
 * realistic noise; a matcher aligns two captures and scores how many minutiae pair up.
 *
 * Template layout (the terminal's native format, OSDP bio format 0x00 "not specified"),
 * 3 + 4 × N bytes, at most 195 bytes (N <= 48):
 *
 *   byte 0   magic 0x53 ('S', synthetic minutiae)
 *   byte 1   version 0x01
 *   byte 2   N, the number of minutiae
 *   then per minutia, 4 bytes:
 *     x      0..255, sensor pixels, left to right
 *     y      0..255, sensor pixels, top to bottom
 *     angle  0..255, ridge direction in units of 360/256 degrees
 *     type   1 ridge ending, 2 bifurcation
 */

export const TEMPLATE_MAGIC = 0x53;
export const TEMPLATE_VERSION = 0x01;
export const TEMPLATE_HEADER_BYTES = 3;
export const MAX_MINUTIAE = 48;

export const MINUTIA_ENDING = 1;
export const MINUTIA_BIFURCATION = 2;

export interface Minutia {
  /** 0..255 */
  readonly x: number;
  /** 0..255 */
  readonly y: number;
  /** 0..255, in units of 360/256 degrees. */
  readonly angle: number;
  /** {@link MINUTIA_ENDING} or {@link MINUTIA_BIFURCATION}. */
  readonly type: number;
}

/** A template that does not follow the layout above. */
export class TemplateError extends Error {
  readonly code = "BAD_TEMPLATE";
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

export function encodeTemplate(minutiae: readonly Minutia[]): Uint8Array {
  if (minutiae.length > MAX_MINUTIAE) {
    throw new TemplateError(`at most ${MAX_MINUTIAE} minutiae, got ${minutiae.length}`);
  }
  const bytes = new Uint8Array(TEMPLATE_HEADER_BYTES + 4 * minutiae.length);
  bytes[0] = TEMPLATE_MAGIC;
  bytes[1] = TEMPLATE_VERSION;
  bytes[2] = minutiae.length;
  minutiae.forEach((m, i) => {
    for (const [name, value] of Object.entries(m)) {
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new TemplateError(`minutia ${i}: ${name} must be a byte, got ${String(value)}`);
      }
    }
    if (m.type !== MINUTIA_ENDING && m.type !== MINUTIA_BIFURCATION) {
      throw new TemplateError(`minutia ${i}: unknown type ${m.type}`);
    }
    bytes.set([m.x, m.y, m.angle, m.type], TEMPLATE_HEADER_BYTES + 4 * i);
  });
  return bytes;
}

/** @throws {TemplateError} when `bytes` is not a template of this layout. */
export function decodeTemplate(bytes: Uint8Array): Minutia[] {
  if (bytes.length < TEMPLATE_HEADER_BYTES) throw new TemplateError("template too short");
  if (bytes[0] !== TEMPLATE_MAGIC) throw new TemplateError("not a synthetic minutiae template");
  if (bytes[1] !== TEMPLATE_VERSION) throw new TemplateError(`unknown version ${bytes[1]}`);
  const count = bytes[2]!;
  if (count > MAX_MINUTIAE) throw new TemplateError(`${count} minutiae, at most ${MAX_MINUTIAE}`);
  if (bytes.length !== TEMPLATE_HEADER_BYTES + 4 * count) {
    throw new TemplateError(`${count} minutiae need ${TEMPLATE_HEADER_BYTES + 4 * count} bytes`);
  }
  const minutiae: Minutia[] = [];
  for (let i = 0; i < count; i++) {
    const o = TEMPLATE_HEADER_BYTES + 4 * i;
    const type = bytes[o + 3]!;
    if (type !== MINUTIA_ENDING && type !== MINUTIA_BIFURCATION) {
      throw new TemplateError(`minutia ${i}: unknown type ${type}`);
    }
    minutiae.push({ x: bytes[o]!, y: bytes[o + 1]!, angle: bytes[o + 2]!, type });
  }
  return minutiae;
}

/** A random source like Math.random: uniform in [0, 1). */
export type Rng = () => number;

/** A small, fast, seeded PRNG (mulberry32) for reproducible captures. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const CENTER = 128;
/** Minutiae lie within this radius of the sensor's centre (the finger's core area). */
const FINGER_RADIUS = 100;
/** Two minutiae of a finger are at least this far apart. */
const MIN_SPACING = 12;

/** The finger's own minutiae, the same on every call: 30..40 of them, from a hash of its id. */
export function fingerMinutiae(fingerId: string): Minutia[] {
  const rng = seededRng(hashString(fingerId));
  const count = 30 + Math.floor(rng() * 11);
  const minutiae: Minutia[] = [];
  while (minutiae.length < count) {
    const r = FINGER_RADIUS * Math.sqrt(rng());
    const phi = 2 * Math.PI * rng();
    const x = Math.round(CENTER + r * Math.cos(phi));
    const y = Math.round(CENTER + r * Math.sin(phi));
    const angle = Math.floor(rng() * 256);
    const type = rng() < 0.5 ? MINUTIA_ENDING : MINUTIA_BIFURCATION;
    if (minutiae.every((m) => (m.x - x) ** 2 + (m.y - y) ** 2 >= MIN_SPACING ** 2)) {
      minutiae.push({ x, y, angle, type });
    }
  }
  return minutiae;
}

/** How a capture differs from the finger's own minutiae. */
export interface CaptureNoise {
  /** The finger is placed rotated by up to ± this, uniformly. */
  readonly rotationDeg: number;
  /** ... and shifted by up to ± this in x and in y, uniformly. */
  readonly translationPx: number;
  /** Standard deviation of each minutia's position error (Gaussian, cut at 3 sigma). */
  readonly jitterPx: number;
  /** Standard deviation of each minutia's direction error, in 1/256 turns. */
  readonly angleJitter: number;
  /** Chance that a minutia is not found. */
  readonly dropRate: number;
  /** Chance that an ending is seen as a bifurcation or the other way round. */
  readonly typeFlipRate: number;
  /** Up to this many spurious minutiae (uniformly 0..max). */
  readonly maxSpurious: number;
}

export const DEFAULT_NOISE: CaptureNoise = Object.freeze({
  rotationDeg: 20,
  translationPx: 20,
  jitterPx: 1.5,
  angleJitter: 3,
  dropRate: 0.06,
  typeFlipRate: 0.02,
  maxSpurious: 3,
});

export interface Capture {
  readonly minutiae: readonly Minutia[];
  readonly template: Uint8Array;
  /** 0..100: the share of the finger's minutiae found, less the spurious ones. */
  readonly quality: number;
}

function gaussian(rng: Rng, sigma: number): number {
  // Box-Muller, cut at 3 sigma like a sensor whose errors are bounded.
  const u = 1 - rng();
  const v = rng();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return sigma * Math.max(-3, Math.min(3, z));
}

/** One placement of the finger on the sensor. */
export function captureFinger(
  fingerId: string,
  rng: Rng,
  noise: CaptureNoise = DEFAULT_NOISE,
): Capture {
  const own = fingerMinutiae(fingerId);
  const rotation = ((rng() * 2 - 1) * noise.rotationDeg * Math.PI) / 180;
  const tx = (rng() * 2 - 1) * noise.translationPx;
  const ty = (rng() * 2 - 1) * noise.translationPx;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const turn = (rotation * 128) / Math.PI;
  const seen: Minutia[] = [];
  for (const m of own) {
    if (rng() < noise.dropRate) continue;
    const dx = m.x - CENTER;
    const dy = m.y - CENTER;
    const x = Math.round(CENTER + cos * dx - sin * dy + tx + gaussian(rng, noise.jitterPx));
    const y = Math.round(CENTER + sin * dx + cos * dy + ty + gaussian(rng, noise.jitterPx));
    if (x < 0 || x > 255 || y < 0 || y > 255) continue; // off the sensor
    const angle = mod256(Math.round(m.angle + turn + gaussian(rng, noise.angleJitter)));
    const flip = rng() < noise.typeFlipRate;
    const type = flip ? MINUTIA_ENDING + MINUTIA_BIFURCATION - m.type : m.type;
    seen.push({ x, y, angle, type });
  }
  const found = seen.length;
  const spurious = Math.floor(rng() * (noise.maxSpurious + 1));
  for (let i = 0; i < spurious && seen.length < MAX_MINUTIAE; i++) {
    seen.push({
      x: Math.floor(rng() * 256),
      y: Math.floor(rng() * 256),
      angle: Math.floor(rng() * 256),
      type: rng() < 0.5 ? MINUTIA_ENDING : MINUTIA_BIFURCATION,
    });
  }
  // A sensor reports minutiae in scan order, not in the finger's order.
  seen.sort((a, b) => a.y - b.y || a.x - b.x);
  const quality = Math.max(0, Math.min(100, Math.round((100 * found) / own.length - 3 * spurious)));
  return { minutiae: seen, template: encodeTemplate(seen), quality };
}

/** The template of one placement of the finger on the sensor. */
export function captureTemplate(fingerId: string, rng: Rng, noise?: CaptureNoise): Uint8Array {
  return captureFinger(fingerId, rng, noise).template;
}

function mod256(a: number): number {
  return ((a % 256) + 256) % 256;
}

/** Positions closer than this after alignment pair up. */
const DISTANCE_TOLERANCE_PX = 8;
/** Directions closer than this (1/256 turns, about 17 degrees) pair up. */
const ANGLE_TOLERANCE = 12;
/** Alignments refined by least squares after the first count. */
const REFINED_ALIGNMENTS = 3;

interface Alignment {
  readonly cos: number;
  readonly sin: number;
  /** Rotation in 1/256 turns. */
  readonly turn: number;
  readonly tx: number;
  readonly ty: number;
}

/**
 * How alike two templates are, 0..100: 100 × 2k / (|a| + |b|), where k is the number of
 * minutiae that pair up (same type, within 8 px and about 17 degrees) under the best rigid
 * alignment of `a` onto `b`. Candidate alignments come from every pair of same-type minutiae
 * (one of each template, taken as the same point of the finger); the best few are refined by
 * a least-squares fit on their pairs and counted again.
 */
export function matchScore(
  a: Uint8Array | readonly Minutia[],
  b: Uint8Array | readonly Minutia[],
): number {
  const ma = a instanceof Uint8Array ? decodeTemplate(a) : a;
  const mb = b instanceof Uint8Array ? decodeTemplate(b) : b;
  if (ma.length === 0 || mb.length === 0) return 0;
  const used = new Int32Array(mb.length).fill(-1);
  let stamp = 0;
  const top: { count: number; alignment: Alignment }[] = [];
  for (const p of ma) {
    for (const q of mb) {
      if (p.type !== q.type) continue;
      const alignment = alignOn(p, q);
      const count = pairs(ma, mb, alignment, used, stamp++).length;
      if (top.length < REFINED_ALIGNMENTS || count > top[top.length - 1]!.count) {
        top.push({ count, alignment });
        top.sort((x, y) => y.count - x.count);
        if (top.length > REFINED_ALIGNMENTS) top.pop();
      }
    }
  }
  let best = top[0]?.count ?? 0;
  for (const { alignment } of top) {
    const matched = pairs(ma, mb, alignment, used, stamp++);
    if (matched.length < 2) continue;
    const refined = fit(matched);
    best = Math.max(best, pairs(ma, mb, refined, used, stamp++).length);
  }
  return Math.round((100 * 2 * best) / (ma.length + mb.length));
}

/** The alignment that puts `p` on `q`, position and direction. */
function alignOn(p: Minutia, q: Minutia): Alignment {
  const turn = mod256(q.angle - p.angle);
  const theta = (turn * Math.PI) / 128;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  return { cos, sin, turn, tx: q.x - (cos * p.x - sin * p.y), ty: q.y - (sin * p.x + cos * p.y) };
}

/** Greedy pairing: each minutia of `a`, aligned, takes the nearest free one of `b` in tolerance. */
function pairs(
  a: readonly Minutia[],
  b: readonly Minutia[],
  t: Alignment,
  used: Int32Array,
  stamp: number,
): [Minutia, Minutia][] {
  const out: [Minutia, Minutia][] = [];
  const tol2 = DISTANCE_TOLERANCE_PX * DISTANCE_TOLERANCE_PX;
  for (const p of a) {
    const x = t.cos * p.x - t.sin * p.y + t.tx;
    const y = t.sin * p.x + t.cos * p.y + t.ty;
    const angle = p.angle + t.turn;
    let bestJ = -1;
    let bestD = tol2;
    for (let j = 0; j < b.length; j++) {
      const q = b[j]!;
      if (used[j] === stamp || q.type !== p.type) continue;
      const d = (q.x - x) ** 2 + (q.y - y) ** 2;
      if (d > bestD) continue;
      const da = mod256(Math.round(q.angle - angle));
      if (Math.min(da, 256 - da) > ANGLE_TOLERANCE) continue;
      bestD = d;
      bestJ = j;
    }
    if (bestJ >= 0) {
      used[bestJ] = stamp;
      out.push([p, b[bestJ]!]);
    }
  }
  return out;
}

/** The rigid motion (rotation and translation) that best maps the first of each pair on the second. */
function fit(matched: readonly [Minutia, Minutia][]): Alignment {
  const n = matched.length;
  let ax = 0;
  let ay = 0;
  let bx = 0;
  let by = 0;
  for (const [p, q] of matched) {
    ax += p.x;
    ay += p.y;
    bx += q.x;
    by += q.y;
  }
  ax /= n;
  ay /= n;
  bx /= n;
  by /= n;
  let dot = 0;
  let cross = 0;
  for (const [p, q] of matched) {
    const px = p.x - ax;
    const py = p.y - ay;
    const qx = q.x - bx;
    const qy = q.y - by;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  const theta = Math.atan2(cross, dot);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  return {
    cos,
    sin,
    turn: (theta * 128) / Math.PI,
    tx: bx - (cos * ax - sin * ay),
    ty: by - (sin * ax + cos * ay),
  };
}
