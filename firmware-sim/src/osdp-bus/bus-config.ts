import { readFileSync } from "node:fs";

/** One simulated PD on the bus. */
export interface SimPdConfig {
  readonly address: number;
  readonly kind: "reader" | "fingerprint" | "io";
  /** Its own SCBK (32 hex digits); absent for a PD fresh from the factory. */
  readonly keyHex?: string;
  /** Accepts SCBK-D (install mode). */
  readonly installMode?: boolean;
  /** Refuses clear-text commands but POLL, ID, CAP and the handshake. Default true. */
  readonly requireSecure?: boolean;
  readonly serialNumber?: number;
  readonly outputs?: number;
  readonly inputs?: number;
}

export interface SimBusConfig {
  readonly baudRate?: number;
  readonly pds: readonly SimPdConfig[];
}

const KINDS = new Set(["reader", "fingerprint", "io"]);

/** Reads and checks a bus file; every problem is named with its place. */
export function loadSimBusConfig(path: string): SimBusConfig {
  const value = JSON.parse(readFileSync(path, "utf8")) as SimBusConfig;
  const problems: string[] = [];
  if (!Array.isArray(value?.pds) || value.pds.length === 0) problems.push("pds: at least one PD");
  const seen = new Set<number>();
  (value?.pds ?? []).forEach((pd, i) => {
    if (!Number.isInteger(pd.address) || pd.address < 0 || pd.address > 126)
      problems.push(`pds[${i}].address: 0..126`);
    if (seen.has(pd.address)) problems.push(`pds[${i}].address: ${pd.address} used twice`);
    seen.add(pd.address);
    if (!KINDS.has(pd.kind)) problems.push(`pds[${i}].kind: reader, fingerprint or io`);
    if (pd.keyHex !== undefined && !/^[0-9a-fA-F]{32}$/.test(pd.keyHex))
      problems.push(`pds[${i}].keyHex: 32 hex digits`);
  });
  if (problems.length > 0) throw new Error(`${path}: ${problems.join("; ")}`);
  return value;
}
