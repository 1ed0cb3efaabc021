/**
 * A 53-bit hash of a record's column values (two 32-bit multiply-xor lanes, cyrb53's
 * finalizer), stored in site_record to tell whether a record changed since its site was
 * last sent it. Not cryptographic: it only has to notice edits, and an unnoticed edit needs
 * a 2^-53 coincidence. Stable across processes and versions of Node: change it only with a
 * migration that clears site_record's hashes (every site then gets a full delta).
 *
 * Values are typed (null, integer, other number, string, boolean) so that null, 0, "" and
 * "0" all hash differently (only the first `width` values count); integers are mixed as two 32-bit words (exact below 2^53).
 */
export function hashRow(row: readonly unknown[], width: number = row.length): number {
  let h1 = 0xdeadbeef ^ width;
  let h2 = 0x41c6ce57 ^ width;
  for (let i = 0; i < width; i++) {
    const v = row[i];
    let tag: number;
    if (v === null || v === undefined) {
      tag = 1;
    } else if (typeof v === "number") {
      if (Number.isSafeInteger(v)) {
        const lo = v >>> 0;
        const hi = Math.floor(v / 4294967296) | 0;
        h1 = Math.imul(h1 ^ 2, 2654435761);
        h2 = Math.imul(h2 ^ 2, 1597334677);
        h1 = Math.imul(h1 ^ lo, 2654435761);
        h2 = Math.imul(h2 ^ lo, 1597334677);
        h1 = Math.imul(h1 ^ hi, 2654435761);
        h2 = Math.imul(h2 ^ hi, 1597334677);
        continue;
      }
      ({ h1, h2 } = mixString(h1, h2, 3, String(v)));
      continue;
    } else if (typeof v === "string") {
      ({ h1, h2 } = mixString(h1, h2, 4, v));
      continue;
    } else if (typeof v === "boolean") {
      tag = v ? 5 : 6;
    } else {
      ({ h1, h2 } = mixString(h1, h2, 7, JSON.stringify(v) ?? String(v)));
      continue;
    }
    h1 = Math.imul(h1 ^ tag, 2654435761);
    h2 = Math.imul(h2 ^ tag, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function mixString(a: number, b: number, tag: number, s: string): { h1: number; h2: number } {
  let h1 = Math.imul(a ^ tag, 2654435761);
  let h2 = Math.imul(b ^ tag, 1597334677);
  h1 = Math.imul(h1 ^ s.length, 2654435761);
  h2 = Math.imul(h2 ^ s.length, 1597334677);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return { h1, h2 };
}
