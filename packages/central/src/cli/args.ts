import { parseArgs } from "node:util";
import type { CentralCommands } from "../state/commands.js";
import type { CentralStore } from "../state/store.js";

/** The CLI's shared parts: options, the command context, argument helpers and formatting. */

export type Out = (line: string) => void;
export type Values = ReturnType<typeof parse>["values"];

export interface Context {
  readonly store: CentralStore;
  readonly commands: CentralCommands;
  readonly values: Values;
  /** The words after the command's own (e.g. for `site add ID`: ["ID"]). */
  readonly args: readonly string[];
  readonly out: Out;
}

export interface Command {
  readonly usage: string;
  run(ctx: Context): number | Promise<number>;
}

export class UsageError extends Error {}

const OPTIONS = {
  db: { type: "string" },
  name: { type: "string" },
  timezone: { type: "string" },
  fingerprint: { type: "boolean" },
  "no-fingerprint": { type: "boolean" },
  threshold: { type: "string" },
  employment: { type: "string" },
  area: { type: "string" },
  schedule: { type: "string" },
  from: { type: "string" },
  until: { type: "string" },
  authorization: { type: "string" },
  at: { type: "string" },
  card: { type: "string" },
  status: { type: "string" },
  reason: { type: "string" },
  site: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  limit: { type: "string" },
  help: { type: "boolean", short: "h" },
  mqtt: { type: "string" },
  key: { type: "string" },
  "key-id": { type: "string" },
  "public-key": { type: "string" },
  "events-db": { type: "string" },
  door: { type: "string" },
  mode: { type: "string" },
  ttl: { type: "string" },
  notifications: { type: "string" },
  port: { type: "string" },
  /** serve: the HTTP API's address (once); ca issue --server: each name of the broker. */
  host: { type: "string", multiple: true },
  "mqtt-ca": { type: "string" },
  "mqtt-cert": { type: "string" },
  "mqtt-key": { type: "string" },
  "mqtt-username": { type: "string" },
  "mqtt-password-file": { type: "string" },
  dir: { type: "string" },
  days: { type: "string" },
  server: { type: "boolean" },
  auth: { type: "string" },
  bind: { type: "string" },
  "broker-dir": { type: "string" },
  "data-dir": { type: "string" },
  username: { type: "string" },
  email: { type: "string" },
  mobile: { type: "string" },
  "next-key": { type: "string" },
  "next-key-id": { type: "string" },
  "edge-key-overlap": { type: "string" },
} as const;

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

// --- argument helpers ---

export function need(value: string | undefined, option: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${option} is needed`);
  return value;
}

export function idOf(value: string | undefined, option: string): number {
  const text = need(value, option);
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`--${option} must be an id (an integer >= 1), got "${text}"`);
  }
  return id;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function instantOf(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^-?\d+$/.test(value)) return Number(value);
  if (ISO.test(value)) return Date.parse(value);
  throw new UsageError(
    `--${option} must be ISO-8601 with an offset (2026-03-01T00:00:00+01:00) or epoch ms`,
  );
}

export function thresholdOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 100) throw new UsageError("--threshold must be 0..100");
  return n;
}

export const iso = (ms: number | null): string => (ms === null ? "-" : new Date(ms).toISOString());

export function counts(c: Partial<Record<string, number>>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n !== undefined && n > 0)
    .map(([k, n]) => `${k}=${n}`);
  return parts.length === 0 ? "-" : parts.join(" ");
}
