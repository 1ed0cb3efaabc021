/** Stable codes of everything central's commands refuse. */
export type CentralErrorCode = "NOT_FOUND" | "INVALID" | "CONFLICT" | "SCHEMA_TOO_NEW";

/**
 * What a command (or the store) refuses, with a stable `code` and the input `field` at
 * fault (`employmentId`, `cards[12].personId`, ...). A refused command has changed nothing.
 */
export class CentralError extends Error {
  readonly code: CentralErrorCode;
  /** The input field at fault; null when the refusal is not about one field. */
  readonly field: string | null;

  constructor(
    code: CentralErrorCode,
    field: string | null,
    message: string,
    options?: ErrorOptions,
  ) {
    super(field === null ? message : `${field}: ${message}`, options);
    this.name = "CentralError";
    this.code = code;
    this.field = field;
  }
}

export const notFound = (field: string, what: string, id: number | string): CentralError =>
  new CentralError("NOT_FOUND", field, `no ${what} with id ${JSON.stringify(id)}`);

export const invalid = (field: string, message: string): CentralError =>
  new CentralError("INVALID", field, message);

export const conflict = (field: string | null, message: string): CentralError =>
  new CentralError("CONFLICT", field, message);
