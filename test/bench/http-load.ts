// A load generator in its own process (so the server it measures keeps its core): given a
// base URL, a bearer token and paths, it calls them and reports each call's time.
//   sequential: { mode: "sequence", paths }                 -> { ms: number[] }
//   throughput: { mode: "load", paths, concurrency, durationMs } -> { count, errors, seconds }
import { performance } from "node:perf_hooks";

export type LoadRequest =
  | {
      readonly mode: "sequence";
      readonly base: string;
      readonly token: string;
      readonly paths: readonly string[];
    }
  | {
      readonly mode: "load";
      readonly base: string;
      readonly token: string;
      readonly paths: readonly string[];
      readonly concurrency: number;
      readonly durationMs: number;
    };

export type LoadResult =
  | { readonly mode: "sequence"; readonly ms: number[]; readonly errors: number }
  | {
      readonly mode: "load";
      readonly count: number;
      readonly errors: number;
      readonly seconds: number;
    };

async function get(base: string, token: string, path: string): Promise<boolean> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status === 200;
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const { base, token, paths } = request;
  if (request.mode === "sequence") {
    const ms: number[] = [];
    let errors = 0;
    for (const path of paths) {
      const t0 = performance.now();
      if (!(await get(base, token, path))) errors++;
      ms.push(performance.now() - t0);
    }
    return { mode: "sequence", ms, errors };
  }
  let count = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + request.durationMs;
  const worker = async () => {
    while (performance.now() < until) {
      const path = paths[next++ % paths.length] as string;
      if (await get(base, token, path)) count++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, worker));
  return { mode: "load", count, errors, seconds: (performance.now() - started) / 1000 };
}

process.on("message", (request: LoadRequest) => {
  run(request).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.send?.({ ready: true });
