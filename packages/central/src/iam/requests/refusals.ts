import { IamValidationError } from "../errors.js";
import type { Refusal } from "./model.js";

/**
 * An all-or-nothing basket addition refused for one or more employments: nothing was added.
 * Each refusal keeps its path (`employmentIds.<i>`), its code and rule (e.g. RULE
 * `NO_ACTIVE_CARD`, CONFLICT `ALREADY_HELD`); as a validation error the HTTP layer answers
 * 422 with every refusal in `errors`, its message starting with the rule's name.
 */
export class RequestRefusedError extends IamValidationError {
  readonly refusals: readonly Refusal[];

  constructor(refusals: readonly Refusal[]) {
    super(refusals.map((r) => ({ path: r.path, message: `${r.rule}: ${r.message}` })));
    this.name = "RequestRefusedError";
    this.refusals = refusals;
  }
}
