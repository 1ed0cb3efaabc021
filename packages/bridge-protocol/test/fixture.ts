/** An annotated byte fixture: each row is some bytes in hex and what they mean. */
export type Annotated = ReadonlyArray<readonly [hex: string, meaning: string]>;

export function bytesOf(rows: Annotated): Uint8Array {
  const hex = rows.map(([h]) => h.replace(/\s+/g, "")).join("");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
