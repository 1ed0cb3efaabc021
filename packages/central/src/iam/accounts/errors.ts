/**
 * Why authentication failed. UNAUTHENTICATED never says which part was wrong (user, password,
 * code, token); LOCKED: too many failures, wait until `lockedUntil`; INVALID_TOKEN: a password
 * (re)set token that is unknown, used or expired.
 */
export type AuthErrorCode = "UNAUTHENTICATED" | "LOCKED" | "INVALID_TOKEN";

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly lockedUntil: number | null;

  constructor(code: AuthErrorCode, message: string, lockedUntil: number | null = null) {
    super(message);
    this.name = "AuthError";
    this.code = code;
    this.lockedUntil = lockedUntil;
  }
}

export const unauthenticated = (): AuthError =>
  new AuthError("UNAUTHENTICATED", "wrong credentials");
