import { main } from "../../src/cli/main.js";

/** Runs the central CLI in this process; its output and exit code. */
export async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), { err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
