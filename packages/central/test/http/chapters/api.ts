import { expect } from "vitest";
import type { Actor } from "../../../src/iam/actor.js";
import type { RemoteOpener } from "../../../src/iam/helpdesk/remote-open.js";
import type { EventStore } from "../../../src/service/event-store.js";
import { CentralCommands } from "../../../src/state/commands.js";
import { openCentralStore } from "../../../src/state/store.js";
import {
  type ApiCaller,
  type ApiResponse,
  fullWorkflowServer,
  type WorkflowFixture,
  workflowFixture,
} from "../../iam/workflow-support.js";

/**
 * Steps of the work instruction over HTTP only, shared by the chapter tests: the whole API
 * as `central serve` registers it, on a free port, over the fixture's SQLite file.
 */
export type Server = Awaited<ReturnType<typeof fullWorkflowServer>>;

export interface Api {
  readonly f: WorkflowFixture;
  readonly call: ApiCaller;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startApi(
  options: { events?: EventStore; remoteOpener?: RemoteOpener } = {},
): Promise<Api> {
  const f = await workflowFixture();
  const server = await fullWorkflowServer(f, options);
  return {
    f,
    call: server.call,
    server,
    close: async () => {
      server.workflow.stop();
      await server.app.close();
      f.close();
    },
  };
}

/**
 * "Central was stopped": the server and the store closed, then the same file opened anew
 * with a new server over it (the caller moves the clock in between and calls start()).
 */
export async function restartApi(api: Api, whileStopped: () => void = () => {}): Promise<Api> {
  await api.close();
  whileStopped();
  const store = openCentralStore(api.f.path, { clock: api.f.clock });
  const f: WorkflowFixture = {
    ...api.f,
    commands: new CentralCommands(store),
    close: () => store.close(),
  };
  const server = await fullWorkflowServer(f);
  return {
    f,
    call: server.call,
    server,
    close: async () => {
      server.workflow.stop();
      await server.app.close();
      f.close();
    },
  };
}

let keys = 0;
/** A fresh Idempotency-Key header. */
export const idem = (): Record<string, string> => ({ "idempotency-key": `chapter-${++keys}` });

/** The response's body after checking its status (the body is shown when it differs). */
// biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
export function expectStatus(response: ApiResponse, status: number): any {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

/** A problem answer with its status and rule. */
export function expectProblem(response: ApiResponse, status: number, rule?: string) {
  const body = expectStatus(response, status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  if (rule !== undefined) expect(body.rule).toBe(rule);
  return body;
}

/** GET then POST with If-Match of the resource at `path`. */
export async function postIfMatch(
  api: Api,
  path: string,
  action: string,
  body: unknown,
  as: Actor,
): Promise<ApiResponse> {
  const current = await api.call("GET", path, { as });
  expectStatus(current, 200);
  const tag = current.headers.get("etag") ?? "";
  return api.call("POST", `${path}/${action}`, { as, body, headers: { "if-match": tag } });
}
