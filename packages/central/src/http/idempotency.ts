import "./actor.js";
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem, PROBLEM_TYPES, validationProblem } from "./problem.js";

/** What a creating handler answers: its status and JSON body. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

interface Row {
  request_hash: string;
  status: number;
  body: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency keys of creating requests (the `Idempotency-Key` header): the first
 * response to a key is stored (table http_idempotency, in the given database) and replayed
 * for a repeat with the same key and body on the same route; the same key with another
 * body is a 422 problem; a repeat while the first is still running is a 409.
 */
export class IdempotencyStore {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS http_idempotency (
      key TEXT NOT NULL,
      route TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (key, route)
    ) WITHOUT ROWID`);
  }

  /**
   * Runs `create` once per Idempotency-Key: stores and sends its response, or replays the
   * stored one (header `Idempotent-Replayed: true`). Without the header, `create` simply
   * runs (a 400 problem instead when `required`). 5xx responses are not stored.
   */
  async run(
    request: FastifyRequest,
    reply: FastifyReply,
    create: () => StoredResponse | Promise<StoredResponse>,
    options: { required?: boolean } = {},
  ): Promise<void> {
    const header = request.headers["idempotency-key"];
    if (header === undefined) {
      if (options.required) {
        throw validationProblem(
          [{ path: "/idempotency-key", in: "headers", message: "Idempotency-Key is required" }],
          "this request needs an Idempotency-Key header",
        );
      }
      const response = await create();
      await reply.code(response.status).send(response.body);
      return;
    }
    if (typeof header !== "string" || !KEY_PATTERN.test(header)) {
      throw validationProblem(
        [
          {
            path: "/idempotency-key",
            in: "headers",
            message: "1..255 visible ASCII characters, sent once",
          },
        ],
        "invalid Idempotency-Key header",
      );
    }
    // Keys belong to their caller: another account's same key and body is another request.
    const caller = request.actor?.accountId ?? "anonymous";
    const route = `${request.method} ${request.routeOptions.url ?? request.url} ${caller}`;
    const hash = requestHash(request);
    const stored = this.db
      .prepare<[string, string], Row>(
        "SELECT request_hash, status, body FROM http_idempotency WHERE key = ? AND route = ?",
      )
      .get(header, route);
    if (stored !== undefined) {
      if (stored.request_hash !== hash) {
        throw new HttpProblem(422, {
          type: PROBLEM_TYPES.idempotencyConflict,
          title: "Idempotency key reused",
          detail: "this Idempotency-Key was used for a request with another body",
        });
      }
      await reply
        .code(stored.status)
        .header("idempotent-replayed", "true")
        .send(JSON.parse(stored.body) as unknown);
      return;
    }
    const flight = `${route}\u0000${header}`;
    if (this.inFlight.has(flight)) {
      throw new HttpProblem(409, {
        type: PROBLEM_TYPES.idempotencyInFlight,
        title: "Request in progress",
        detail: "a request with this Idempotency-Key is still being processed",
      });
    }
    this.inFlight.add(flight);
    try {
      const response = await create();
      if (response.status < 500) {
        this.db
          .prepare(
            "INSERT OR IGNORE INTO http_idempotency (key, route, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .run(header, route, hash, response.status, JSON.stringify(response.body), this.now());
      }
      await reply.code(response.status).send(response.body);
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** Forgets keys stored before `before` (epoch ms); returns how many. */
  prune(before: number): number {
    return this.db.prepare("DELETE FROM http_idempotency WHERE created_at < ?").run(before).changes;
  }
}

/** SHA-256 of the method, route, path parameters and body (keys sorted, so order-free). */
export function requestHash(request: FastifyRequest): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        params: request.params ?? null,
        body: request.body ?? null,
      }),
    )
    .digest("hex");
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
