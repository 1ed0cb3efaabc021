import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadRequest, LoadResult } from "./http-load.js";

/** The load generator child (http-load.ts): one request at a time over IPC. */
export class LoadProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadProcess> {
    const child = fork(fileURLToPath(new URL("./http-load.js", import.meta.url)), [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise((resolve) => child.once("message", resolve));
    return new LoadProcess(child);
  }

  run<R extends LoadResult>(request: LoadRequest): Promise<R> {
    return new Promise((resolve, reject) => {
      this.child.once("message", (m: R | { error: string }) =>
        "error" in m ? reject(new Error(m.error)) : resolve(m),
      );
      this.child.send(request);
    });
  }

  stop(): void {
    this.child.kill();
  }
}

export interface Api {
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; etag: string | null }>;
}

export function apiAt(base: string): Api {
  let keys = 0;
  return {
    async call(method, path, token, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      if (body !== undefined) h["content-type"] = "application/json";
      if (method === "POST" && h["idempotency-key"] === undefined)
        h["idempotency-key"] = `bench-${++keys}`;
      const response = await fetch(`${base}${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = text === "" ? null : JSON.parse(text);
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
      return { status: response.status, body: parsed, etag: response.headers.get("etag") };
    },
  };
}
