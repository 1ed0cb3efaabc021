#!/usr/bin/env node
// Runs benchmarks by the name their issue gives: `pnpm bench NAME` (or all of them).
// Each prints its figures as one JSON line; the last line of the output is the last result.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const built = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bench");
const available = readdirSync(built)
  .filter((f) => f.endsWith(".bench.js"))
  .map((f) => f.slice(0, -".bench.js".length));
const names = process.argv.slice(2);
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(", ")}`);
    process.exit(2);
  }
}
for (const name of names.length > 0 ? names : available) {
  const { run } = await import(join(built, `${name}.bench.js`));
  const result = await run();
  console.log(JSON.stringify(result));
}
process.exit(0);
