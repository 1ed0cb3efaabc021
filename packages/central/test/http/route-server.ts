import { afterEach } from "vitest";
import type { ApiServer } from "../../src/http/server.js";
import { type WorkflowFixture, workflowFixture, workflowServer } from "../iam/workflow-support.js";

type Routes = Parameters<typeof workflowServer>[1];

/**
 * A fresh fixture and server for each route test that calls the returned start, with the
 * routes `routesOf(f)` registers; both are closed after each test.
 */
export function serverPerTest() {
  let f: WorkflowFixture | undefined;
  let app: ApiServer | undefined;
  afterEach(async () => {
    await app?.close();
    f?.close();
  });
  return async (routesOf: (f: WorkflowFixture) => Routes) => {
    f = await workflowFixture();
    const server = await workflowServer(f, routesOf(f));
    app = server.app;
    return { f, app, call: server.call };
  };
}
