import { createInterface } from "node:readline";
import { ControlError, type ControlRequest } from "./control-protocol.js";

/** Reads requests from stdin, answers them on stdout; `emit` writes an event line. */
export class NdjsonStdio {
  private closed = false;

  emit(line: Record<string, unknown>): void {
    if (this.closed) return;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }

  serve(
    handle: (request: ControlRequest) => Promise<Record<string, unknown>>,
    onEnd: () => void,
  ): void {
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      if (line.trim() === "") return;
      let request: ControlRequest;
      try {
        request = JSON.parse(line) as ControlRequest;
        if (typeof request !== "object" || request === null || typeof request.cmd !== "string") {
          throw new ControlError("BAD_REQUEST", "a request is an object with a string cmd");
        }
      } catch (err) {
        this.emit({ ok: false, error: { code: "BAD_REQUEST", message: (err as Error).message } });
        return;
      }
      handle(request).then(
        (result) => this.emit({ id: request.id, ok: true, ...result }),
        (err: unknown) => {
          const e = err as { code?: string; message?: string };
          this.emit({
            id: request.id,
            ok: false,
            error: { code: e.code ?? "ERROR", message: e.message },
          });
        },
      );
    });
    rl.on("close", () => {
      this.closed = true;
      onEnd();
    });
  }
}
