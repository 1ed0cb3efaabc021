// node packages/central/dist/test/bench/compile-bench.js [SCALE]   (1 = 2,000,000 cards)
// Prints one JSON line: loadDataset + compileSiteState (and the snapshot) of one big site.
import { runBench, scaled } from "../support/bench.js";

const scale = Number(process.argv[2] ?? 1);
console.log(JSON.stringify(runBench(scaled(scale))));
