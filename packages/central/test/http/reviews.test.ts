import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { registerReviewRoutes } from "../../src/http/review-routes.js";
import type { ApiServer } from "../../src/http/server.js";
import { canonicalJson } from "../../src/iam/reviews/evidence.js";
import { ReviewService } from "../../src/iam/reviews/service.js";
import {
  type ApiCaller,
  actors,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
} from "../iam/workflow-support.js";
import { serverPerTest } from "./route-server.js";

describe("review routes", () => {
  let f: WorkflowFixture;
  let app: ApiServer | undefined;
  let call: ApiCaller;
  let keys = 0;
  const startServer = serverPerTest();

  /** Company A with one engineer holding one authorization; its review opened over HTTP. */
  async function openedReview() {
    ({ f, app, call } = await startServer((fixture) => {
      const reviews = new ReviewService(fixture.ctx);
      return (a, context) => registerReviewRoutes(a, { context, reviews });
    }));
    const seeded = await seedEmployment(f, f.companyA);
    const entry = await seedEntry(f, { code: "AMS01-APP" }, [f.companyA]);
    const authorization = await seedAuthorization(f, seeded, entry);
    const opened = await call("POST", "/reviews", {
      as: actors.admin,
      body: {},
      headers: { "idempotency-key": `open-${++keys}` },
    });
    expect(opened.status).toBe(200);
    expect(opened.body.opened).toHaveLength(1);
    const review = opened.body.opened[0];
    const details = await call("GET", `/reviews/${review.id}`, { as: f.partnerA });
    expect(details.status).toBe(200);
    return {
      review,
      lines: details.body.lines as { id: number; authorizationId: number | null }[],
      authorization,
    };
  }

  it("opens the period's reviews for an administrator only, once per Idempotency-Key", async () => {
    const { review, lines } = await openedReview();
    expect(review).toMatchObject({ companyId: f.companyA, period: "2026-Q1", status: "open" });
    expect(lines).toHaveLength(2);
    const forbidden = await call("POST", "/reviews", {
      as: actors.manager,
      body: {},
      headers: { "idempotency-key": "m-1" },
    });
    expect(forbidden.status).toBe(403);
    const invalid = await call("POST", "/reviews", {
      as: actors.admin,
      body: { period: "Q1" },
      headers: { "idempotency-key": "bad-1" },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].path).toBe("/period");
    const again = await call("POST", "/reviews", {
      as: actors.admin,
      body: {},
      headers: { "idempotency-key": "again-1" },
    });
    expect(again.body).toEqual({ opened: [] });
    const list = await call("GET", `/companies/${f.companyA}/reviews`, { as: f.partnerA });
    expect(list.body).toEqual({ items: [review], nextCursor: null });
  });

  it("lets the contact person decide and finish; the unconfirmed authorization is revoked", async () => {
    const { review, lines, authorization } = await openedReview();
    const [employmentLine, authorizationLine] = lines;
    const early = await call("POST", `/reviews/${review.id}/finish`, { as: f.partnerA });
    expect(early.status).toBe(409);
    expect(early.body.rule).toBe("LINES_PENDING");
    const confirmed = await call("POST", `/review-lines/${employmentLine?.id}/decision`, {
      as: f.partnerA,
      body: { decision: "confirmed" },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ decision: "confirmed", decidedBy: "acc-partner-a" });
    await call("POST", `/review-lines/${authorizationLine?.id}/decision`, {
      as: f.partnerA,
      body: { decision: "not-confirmed", comment: "job done" },
    });
    const finished = await call("POST", `/reviews/${review.id}/finish`, { as: f.partnerA });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ status: "finished", finishedBy: "acc-partner-a" });
    expect(finished.body.lines.map((l: { decision: string }) => l.decision)).toEqual([
      "confirmed",
      "revoked",
    ]);
    const revoked = f.commands.store.db
      .prepare("SELECT revoked_at FROM access_authorization WHERE id = ?")
      .get(authorization.stateAuthorizationId) as { revoked_at: number | null };
    expect(revoked.revoked_at).toBe(f.clock.now());
    const late = await call("POST", `/review-lines/${employmentLine?.id}/decision`, {
      as: f.partnerA,
      body: { decision: "not-confirmed" },
    });
    expect(late.status).toBe(409);
    expect(late.body.rule).toBe("REVIEW_FINISHED");
    const badBody = await call("POST", `/review-lines/${employmentLine?.id}/decision`, {
      as: f.partnerA,
      body: { decision: "perhaps" },
    });
    expect(badBody.status).toBe(400);
  });

  it("exports evidence as JSON with its digest and as CSV", async () => {
    const { review, lines } = await openedReview();
    for (const line of lines) {
      await call("POST", `/review-lines/${line.id}/decision`, {
        as: f.partnerA,
        body: { decision: "confirmed" },
      });
    }
    await call("POST", `/reviews/${review.id}/finish`, { as: f.partnerA });
    const json = await call("GET", `/reviews/${review.id}/evidence`, { as: actors.auditor });
    expect(json.status).toBe(200);
    const digest = createHash("sha256")
      .update(canonicalJson({ review: json.body.review, lines: json.body.lines }))
      .digest("hex");
    expect(json.body.sha256).toBe(digest);
    expect(json.headers.get("x-evidence-sha256")).toBe(digest);
    const response = await fetch(
      `${app?.listeningOrigin}/reviews/${review.id}/evidence?format=csv`,
      {
        headers: { authorization: `Bearer ${actors.auditor.accountId}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("x-evidence-sha256")).toBe(digest);
    const rows = (await response.text()).trimEnd().split("\r\n");
    expect(rows[0]).toMatch(/^reviewId,companyId,period,lineId,employmentNumber/);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain("AMS01-APP");
    const helpdesk = await call("GET", `/reviews/${review.id}/evidence`, { as: actors.helpdesk });
    expect(helpdesk.status).toBe(403);
  });

  it("answers another company's review and lines with 404", async () => {
    const { review, lines } = await openedReview();
    const responses = await Promise.all([
      call("GET", `/reviews/${review.id}`, { as: f.partnerB }),
      call("GET", `/reviews/${review.id}/evidence`, { as: f.partnerB }),
      call("POST", `/reviews/${review.id}/finish`, { as: f.partnerB }),
      call("POST", `/review-lines/${lines[0]?.id}/decision`, {
        as: f.partnerB,
        body: { decision: "confirmed" },
      }),
      call("GET", `/companies/${f.companyA}/reviews`, { as: f.partnerB }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await call("GET", `/reviews/${review.id}`)).status).toBe(401);
    const doc = await call("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const evidence = doc.body.paths["/reviews/{reviewId}/evidence"].get.responses["200"];
    expect(Object.keys(evidence.content).sort()).toEqual(["application/json", "text/csv"]);
  });
});
