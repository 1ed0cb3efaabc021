import { z } from "zod";
import { AuthError } from "../iam/accounts/errors.js";
import { type Account, type AccountService, PasswordSchema } from "../iam/accounts/service.js";
import { ROLES } from "../iam/actor.js";
import { IamError, IamValidationError } from "../iam/errors.js";
import { requireActor, signedIn } from "./actor.js";
import { HttpProblem, PROBLEM_TYPES, problemResponses, validationProblem } from "./problem.js";
import type { ApiServer } from "./server.js";

/** Problem types of authentication besides the shared ones. */
export const AUTH_PROBLEM_TYPES = {
  locked: "urn:acs:problem:account-locked",
  invalidToken: "urn:acs:problem:invalid-token",
} as const;

const iso = (at: number) => new Date(at).toISOString();

const AccountSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(ROLES),
    mobile: z.string(),
    email: z.string(),
    companyId: z.number().int().nullable(),
    createdAt: z.string().describe("ISO-8601 instant, UTC"),
  })
  .meta({ id: "Account" });

function accountView(account: Account): z.output<typeof AccountSchema> {
  return { ...account, createdAt: iso(account.createdAt) };
}

const Accepted = z.object({ status: z.literal("accepted") });
const Done = z.object({ status: z.literal("ok") });

/** The bearer token of a request, for logout. */
function bearer(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(authorization?.trim() ?? "")?.[1];
}

/** An IAM or authentication refusal as the problem to answer with; anything else as is. */
export function iamProblem(error: unknown): unknown {
  if (error instanceof AuthError) {
    if (error.code === "LOCKED") {
      return new HttpProblem(423, {
        type: AUTH_PROBLEM_TYPES.locked,
        detail: "too many failed sign-ins: try again later",
      });
    }
    if (error.code === "INVALID_TOKEN") {
      return new HttpProblem(400, {
        type: AUTH_PROBLEM_TYPES.invalidToken,
        detail: "the token is invalid, used or expired",
      });
    }
    return new HttpProblem(401, { type: PROBLEM_TYPES.unauthorized, detail: "wrong credentials" });
  }
  if (error instanceof IamValidationError) {
    return validationProblem(
      error.problems.map((p) => ({
        path: `/${p.path.replaceAll(".", "/")}`,
        in: "body" as const,
        message: p.message,
      })),
    );
  }
  if (error instanceof IamError) {
    switch (error.code) {
      case "FORBIDDEN":
        return new HttpProblem(403, { type: PROBLEM_TYPES.forbidden, detail: error.message });
      case "NOT_FOUND":
        return new HttpProblem(404, { type: PROBLEM_TYPES.notFound, detail: error.message });
      case "CONFLICT":
        return new HttpProblem(409, { type: PROBLEM_TYPES.conflict, detail: error.message });
      default:
        return new HttpProblem(422, { type: PROBLEM_TYPES.rule, detail: error.message });
    }
  }
  return error;
}

/** Route hook: 401 before anything else (validation included) for an anonymous caller. */

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw iamProblem(error);
  }
}

/**
 * Sign-in (password, then an SMS code), sign-out, password reset, accounts and API tokens.
 * Wrong credentials answer 401 without naming the wrong part; a locked account 423.
 */
export function authRoutes(app: ApiServer, accounts: AccountService): void {
  app.post(
    "/auth/login",
    {
      schema: {
        operationId: "login",
        tags: ["auth"],
        summary: "Step one of signing in: the password; a 6-digit code is texted to the mobile",
        body: z.strictObject({
          username: z.string().min(1).max(64),
          password: z.string().min(1).max(256),
        }),
        response: {
          200: z.object({
            challengeId: z.string().describe("Send it with the code to POST /auth/otp"),
            expiresAt: z.string(),
          }),
          ...problemResponses(400, 401, 423),
        },
      },
    },
    async (request) => {
      const { challengeId, expiresAt } = await guard(() =>
        accounts.login(request.body.username, request.body.password),
      );
      return { challengeId, expiresAt: iso(expiresAt) };
    },
  );

  app.post(
    "/auth/otp",
    {
      schema: {
        operationId: "verifyLoginCode",
        tags: ["auth"],
        summary: "Step two of signing in: the texted code opens a session",
        body: z.strictObject({
          challengeId: z.string().min(1).max(64),
          code: z.string().regex(/^\d{6}$/, "6 digits"),
        }),
        response: {
          200: z.object({
            token: z.string().describe("Bearer token of the session: Authorization: Bearer …"),
            expiresAt: z.string().describe("Idle expiry; moves on with every use"),
          }),
          ...problemResponses(400, 401, 423),
        },
      },
    },
    async (request) => {
      const { token, expiresAt } = await guard(() =>
        accounts.verifyCode(request.body.challengeId, request.body.code),
      );
      return { token, expiresAt: iso(expiresAt) };
    },
  );

  app.post(
    "/auth/logout",
    {
      preValidation: signedIn,
      schema: {
        operationId: "logout",
        tags: ["auth"],
        summary: "Ends the session of the bearer token",
        response: { 200: Done, ...problemResponses(401) },
      },
    },
    async (request) => {
      const token = bearer(request.headers.authorization);
      requireActor(request);
      if (token === undefined) throw iamProblem(new AuthError("UNAUTHENTICATED", "no token"));
      await guard(() => accounts.logout(token));
      return { status: "ok" as const };
    },
  );

  app.post(
    "/auth/password-reset",
    {
      schema: {
        operationId: "requestPasswordReset",
        tags: ["auth"],
        summary: "E-mails a single-use reset token if an account has the address; always 202",
        body: z.strictObject({ email: z.string().min(3).max(254) }),
        response: { 202: Accepted, ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await guard(() => accounts.requestPasswordReset(request.body.email));
      return reply.code(202).send({ status: "accepted" as const });
    },
  );

  app.post(
    "/auth/password-reset/confirm",
    {
      schema: {
        operationId: "confirmPasswordReset",
        tags: ["auth"],
        summary: "Sets a new password with a reset (or invitation) token, once",
        body: z.strictObject({ token: z.string().min(1).max(200), password: PasswordSchema }),
        response: { 200: Done, ...problemResponses(400) },
      },
    },
    async (request) => {
      await guard(() => accounts.confirmPasswordReset(request.body.token, request.body.password));
      return { status: "ok" as const };
    },
  );

  app.post(
    "/auth/password",
    {
      preValidation: signedIn,
      schema: {
        operationId: "changePassword",
        tags: ["auth"],
        summary: "Changes the caller's own password",
        body: z.strictObject({
          currentPassword: z.string().min(1).max(256),
          newPassword: PasswordSchema,
        }),
        response: { 200: Done, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      await guard(() =>
        accounts.changePassword(actor, request.body.currentPassword, request.body.newPassword),
      );
      return { status: "ok" as const };
    },
  );

  app.post(
    "/accounts",
    {
      preValidation: signedIn,
      schema: {
        operationId: "createAccount",
        tags: ["accounts"],
        summary:
          "Creates an account (wholesale admins); an invitation to set a password is e-mailed",
        body: z.strictObject({
          username: z.string(),
          role: z.enum(ROLES),
          mobile: z.string().describe("+316 and 8 digits"),
          email: z.string(),
          companyId: z.number().int().optional().describe("Partner contacts only, required"),
        }),
        response: { 201: AccountSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const account = await guard(() => accounts.createAccount(actor, request.body));
      return reply.code(201).send(accountView(account));
    },
  );

  app.post(
    "/api-tokens",
    {
      preValidation: signedIn,
      schema: {
        operationId: "createApiToken",
        tags: ["accounts"],
        summary: "A new API token of the caller's own account; the token is shown this once",
        body: z.strictObject({ name: z.string().min(1).max(100) }),
        response: {
          201: z.object({
            id: z.string(),
            name: z.string(),
            token: z.string().describe("Shown once; stored hashed"),
            createdAt: z.string(),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const issued = await guard(() => accounts.createApiToken(actor, request.body.name));
      return reply.code(201).send({ ...issued, createdAt: iso(issued.createdAt) });
    },
  );

  app.delete(
    "/api-tokens/:id",
    {
      preValidation: signedIn,
      schema: {
        operationId: "revokeApiToken",
        tags: ["accounts"],
        summary: "Revokes one of the caller's own API tokens",
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        response: { 200: Done, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      await guard(() => accounts.revokeApiToken(actor, request.params.id));
      return { status: "ok" as const };
    },
  );
}
