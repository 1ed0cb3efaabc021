export {
  type AccountDatabase,
  type AccountDb,
  accountDb,
} from "./db.js";
export { AuthError, type AuthErrorCode } from "./errors.js";
export { type Argon2Params, DEFAULT_ARGON2, hashSecret, verifySecret } from "./secrets.js";
export {
  type Account,
  AccountService,
  type AccountServiceOptions,
  API_TOKEN_PREFIX,
  type AuthPolicy,
  CreateAccountSchema,
  DEFAULT_AUTH_POLICY,
  type IssuedApiToken,
  type IssuedToken,
  PasswordSchema,
  SESSION_PREFIX,
} from "./service.js";
