import type { FastifyRequest } from "fastify";
import type { Actor } from "../iam/actor.js";
import { HttpProblem, PROBLEM_TYPES } from "./problem.js";

/**
 * Who is calling, from the request's `Authorization` header (a session or an API token):
 * undefined when it names nobody. The accounts service provides the real one.
 */
export type ActorResolver = (authorization: string | undefined) => Promise<Actor | undefined>;

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

/** The authenticated actor of a request, or a 401 problem. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) {
    throw new HttpProblem(401, {
      type: PROBLEM_TYPES.unauthorized,
      detail: "sign in first: a session or API token is needed",
    });
  }
  return request.actor;
}

/** A route hook: 401 before anything of the request (its body included) is looked at. */
export async function signedIn(request: FastifyRequest): Promise<void> {
  requireActor(request);
}
