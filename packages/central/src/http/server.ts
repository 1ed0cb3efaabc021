import fastifySwagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { Role } from "../iam/actor.js";
import { maskSensitive } from "../iam/audit.js";
import type { CentralStore } from "../state/store.js";
import type { ActorResolver } from "./actor.js";
import { IdempotencyStore } from "./idempotency.js";
import {
  type FieldError,
  HttpProblem,
  PROBLEM_MEDIA_TYPE,
  PROBLEM_TYPES,
  validationProblem,
} from "./problem.js";
import { siteRoutes } from "./sites.js";

/** The API's Fastify instance, typed for zod schemas. */
export type ApiServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ServerOptions {
  readonly store: CentralStore;
  /** pino (or any Fastify logger); request lines carry method, route, status and time only. */
  readonly log: FastifyBaseLogger;
  /** Epoch ms; the clock of stored idempotency keys and /health. */
  readonly now: () => number;
  /** Largest request body accepted, in bytes (64 KiB by default); larger: 413. */
  readonly bodyLimit?: number;
  /** The `info.version` of the OpenAPI document. */
  readonly version?: string;
  /** Who calls, from the Authorization header; without it every request is anonymous. */
  readonly resolveActor?: ActorResolver;
  /** Adds routes (documented too) once the built-in ones are in, before the server listens. */
  readonly registerRoutes?: (app: ApiServer, context: ServerContext) => void | Promise<void>;
}

/** What route modules get besides the server. */
export interface ServerContext {
  readonly store: CentralStore;
  readonly now: () => number;
  readonly idempotency: IdempotencyStore;
}

/** A built server: routes may still be added (they are documented too) until it listens. */
export interface BuiltServer {
  readonly app: ApiServer;
  readonly context: ServerContext;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** See personal identifiers masked (last 3 characters of an ID number, no birth date). */
export const MASKED_ROLES: ReadonlySet<Role> = new Set([
  "helpdesk",
  "auditor",
  "training-institute",
]);

const HealthSchema = z.object({
  status: z.literal("ok"),
  time: z.string().describe("The server's time, ISO-8601 UTC"),
  sites: z.number().int(),
});

/**
 * The HTTP API over central's store, not listening: zod schemas validate every request
 * and response and make the OpenAPI 3.1 document (GET /openapi.json); every error is
 * RFC 9457 problem details.
 */
export async function buildServer(options: ServerOptions): Promise<BuiltServer> {
  const app = Fastify({
    loggerInstance: options.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const context: ServerContext = {
    store: options.store,
    now: options.now,
    idempotency: new IdempotencyStore(options.store.db, options.now),
  };

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "ACS central API",
        description:
          "The central service of the access-control system: sites and the partner portal's IAM workflow (companies, employments, cards, requests and approvals, certificates, reviews, the helpdesk, reports, the audit). Errors are RFC 9457 problem details (application/problem+json).",
        version: options.version ?? "0.1.0",
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.decorateRequest("actor", undefined);
  app.addHook("onRequest", async (request) => {
    request.actor = options.resolveActor
      ? await options.resolveActor(request.headers.authorization)
      : undefined;
  });

  // Roles whose work needs no full ID-document numbers or birth dates see them masked,
  // whatever the route: one place, so a new route cannot forget it.
  app.addHook("preSerialization", async (request, _reply, payload) =>
    request.actor !== undefined && MASKED_ROLES.has(request.actor.role)
      ? maskSensitive(payload)
      : payload,
  );

  app.addHook("onResponse", (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      "request",
    );
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toHttpProblem(error);
    if (problem.status >= 500) {
      // The kind of failure only: no stack, no message that may carry data.
      request.log.error({ err: { type: error.name, code: error.code } }, "request failed");
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new HttpProblem(404, {
        type: PROBLEM_TYPES.notFound,
        detail: `no route ${request.method} ${pathOf(request)}`,
      }),
    ),
  );

  app.get(
    "/openapi.json",
    {
      schema: {
        operationId: "getOpenApi",
        tags: ["meta"],
        summary: "This API's OpenAPI 3.1 document",
        response: { 200: z.looseObject({ openapi: z.string() }) },
      },
    },
    () => app.swagger() as unknown as { openapi: string },
  );

  app.get(
    "/health",
    {
      schema: {
        operationId: "getHealth",
        tags: ["meta"],
        summary: "Liveness: the store answers",
        response: { 200: HealthSchema },
      },
    },
    () => ({
      status: "ok" as const,
      time: new Date(options.now()).toISOString(),
      sites: options.store.sites().length,
    }),
  );

  siteRoutes(app, context);
  await options.registerRoutes?.(app, context);
  return { app, context };
}

/** The request's path, without the query string (the `instance` of its problems). */
function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return q === -1 ? request.url : request.url.slice(0, q);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) {
  // Sent as a string: no route's response serializer applies to a problem.
  return reply
    .code(problem.status)
    .type(PROBLEM_MEDIA_TYPE)
    .send(JSON.stringify(problem.toProblem(pathOf(request))));
}

type ValidationContext = FieldError["in"];

/** Any error thrown while answering, as the problem to send. */
function toHttpProblem(error: FastifyError): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error.validation) {
    const where = error.validationContext as ValidationContext;
    return validationProblem(
      error.validation.flatMap((v) => fieldErrors(v, where)),
      `invalid ${where ?? "request"}`,
    );
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    return new HttpProblem(413, {
      type: PROBLEM_TYPES.bodyTooLarge,
      title: "Content Too Large",
      detail: "the request body is larger than this API accepts",
    });
  }
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, media type, …): their messages name no data.
    return new HttpProblem(status, { detail: error.message });
  }
  return new HttpProblem(500, { detail: "the request could not be completed" });
}

/** One validation issue as field errors; an unknown-keys issue names each key. */
function fieldErrors(
  issue: { instancePath: string; message?: string; keyword: string; params: object },
  where: ValidationContext,
): FieldError[] {
  const base = issue.instancePath === "/" ? "" : issue.instancePath;
  const keys = (issue.params as { keys?: unknown }).keys;
  if (issue.keyword === "unrecognized_keys" && Array.isArray(keys)) {
    return keys.map((k) => ({
      path: `${base}/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`,
      ...(where === undefined ? {} : { in: where }),
      message: "unknown field",
    }));
  }
  return [
    {
      path: base,
      ...(where === undefined ? {} : { in: where }),
      message: issue.message ?? issue.keyword,
    },
  ];
}
