import type { Workflow } from "../iam/workflow.js";
import { EdgeKeyRegistry } from "../trust/edge-keys.js";
import { registerAuditRoutes } from "./audit-routes.js";
import { authRoutes } from "./auth-routes.js";
import { registerCardRoutes } from "./card-routes.js";
import { registerCatalogueRoutes } from "./catalogue-routes.js";
import { registerCertificateRoutes } from "./certificate-routes.js";
import { registerCompanyRoutes } from "./company-routes.js";
import { registerDelegationRoutes } from "./delegation-routes.js";
import { registerEdgeKeyRoutes } from "./edge-key-routes.js";
import { registerHelpdeskRoutes } from "./helpdesk-routes.js";
import { registerKeyRoutes } from "./key-routes.js";
import { registerPersonRoutes } from "./person-routes.js";
import { registerReportRoutes } from "./report-routes.js";
import { registerRequestRoutes } from "./request-routes.js";
import { registerReviewRoutes } from "./review-routes.js";
import type { ApiServer, ServerContext } from "./server.js";

/** Every route of the IAM workflow, over one Workflow (its services share one context). */
export function registerWorkflowRoutes(
  app: ApiServer,
  context: ServerContext,
  workflow: Workflow,
): void {
  const w = workflow;
  authRoutes(app, w.accounts);
  registerCompanyRoutes(app, { context, companies: w.companies, db: w.ctx.db });
  registerPersonRoutes(app, { context, persons: w.persons });
  registerCardRoutes(app, { context, cards: w.cards });
  registerCatalogueRoutes(app, { context, catalogue: w.catalogue });
  registerRequestRoutes(app, { context, requests: w.requests });
  registerDelegationRoutes(app, { context, requests: w.requests });
  registerKeyRoutes(app, { context, keys: w.keys });
  registerCertificateRoutes(app, { context, certificates: w.certificates });
  registerReviewRoutes(app, { context, reviews: w.reviews });
  registerHelpdeskRoutes(app, { context, doors: w.doors, helpdesk: w.helpdesk });
  registerReportRoutes(app, { context, reports: w.reports });
  registerAuditRoutes(app, { context, audit: w.audit });
  registerEdgeKeyRoutes(app, {
    context,
    registry: new EdgeKeyRegistry(context.store.db, () => w.ctx.clock.now()),
    db: w.ctx.db,
    now: () => w.ctx.clock.now(),
  });
}
