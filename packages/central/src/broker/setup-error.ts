/** Stable codes of what the broker and CA commands refuse. */
export type SetupErrorCode =
  /** A file or directory that must be there is not (the store, the CA). */
  | "MISSING"
  /** A file that would be overwritten (a CA key, an issued key). */
  | "EXISTS"
  /** A file that cannot be read, or is not what it should be (not a PEM). */
  | "UNREADABLE"
  /** A directory or file that cannot be written. */
  | "UNWRITABLE";

/**
 * A mistake in what the operator gave (a missing store, an unwritable directory): the
 * CLI prints its message on one line, never a stack trace.
 */
export class SetupError extends Error {
  readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SetupError";
    this.code = code;
  }
}

/** The short reason of a file system error (ENOENT, EACCES, ...). */
export function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
