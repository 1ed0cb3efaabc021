import { describe, expect, it } from "vitest";
import { runBench, scaled } from "./support/bench.js";

// Not a timing assertion: it prints the figures so that a regression shows in the test log.
// CENTRAL_BENCH_SCALE=1 runs the full size (2,000,000 cards, ~1 minute, a few GB of heap), as
// does `node packages/central/dist/test/bench/compile-bench.js 1`.
const SCALE = Number(process.env.CENTRAL_BENCH_SCALE ?? 0.05);

describe("compile throughput", () => {
  it(`logs loadDataset + compileSiteState for ${Math.round(2_000_000 * SCALE)} cards`, () => {
    const result = runBench(scaled(SCALE));
    console.info(`central bench: ${JSON.stringify(result)}`);
    expect(result.rows).toBeGreaterThan(0);
  }, 600_000);
});
