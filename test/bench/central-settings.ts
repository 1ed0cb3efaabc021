import { sharedNow } from "../support/shared-clock.js";

/** The central benchmark's sizes and settings (environment overrides for smaller runs). */
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const PERSONS = env("BENCH_CENTRAL_PERSONS", 100_000);
export const EMPLOYMENTS = env("BENCH_CENTRAL_EMPLOYMENTS", 150_000);
export const COMPANIES = env("BENCH_CENTRAL_COMPANIES", 300);
export const EDGES = env("BENCH_CENTRAL_EDGES", 50);
export const SEARCHES = env("BENCH_CENTRAL_SEARCHES", 1000);
export const READ_SECONDS = env("BENCH_CENTRAL_READ_SECONDS", 10);
export const SUBMITS = env("BENCH_CENTRAL_SUBMITS", 20);
export const APPROVALS = env("BENCH_CENTRAL_APPROVALS", 40);
export const WARMUP = 4;
export const PARTS = new Set(
  (process.env.BENCH_CENTRAL_PARTS ?? "search,reads,submit,approve").split(","),
);

export const TARGETS = {
  search_p99_ms: 20,
  reads_per_s: 2000,
  submit100_p99_ms: 200,
  approve_to_door_p99_ms: 300,
};

const benchStart = Date.now();
export const progress = (message: string) =>
  process.stderr.write(`[central ${((Date.now() - benchStart) / 1000).toFixed(1)}s] ${message}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const now = sharedNow;
