import { encode, FORMATS, type Format, WiegandError } from "@acs/wiegand";
import { ControlError, type ControlRequest, field } from "./control-protocol.js";

export interface CardBitsRule {
  /** The longest card accepted as raw `bits`. */
  readonly maxBits: number;
  /** The BAD_REQUEST message for `bits` that are not 1..maxBits of 0/1. */
  readonly badBitsMessage: string;
}

/**
 * The bits of the card a `present` request describes: raw `bits` (a 0/1 string), or a
 * built-in Wiegand `format` (e.g. "H10301") with its `fields` values, encoded by
 * @acs/wiegand. A bad request is a ControlError: BAD_REQUEST, or the WiegandError's code for
 * field values the format cannot carry.
 */
export function cardBits(request: ControlRequest, rule: CardBitsRule): string {
  if (request.bits !== undefined) {
    const bits = field<string>(request, "bits", "string");
    if (!new RegExp(`^[01]{1,${rule.maxBits}}$`).test(bits)) {
      throw new ControlError("BAD_REQUEST", rule.badBitsMessage);
    }
    return bits;
  }
  const name = field<string>(request, "format", "string");
  const format: Format | undefined = (FORMATS as Record<string, Format>)[name];
  if (!format || !("fields" in format)) {
    throw new ControlError("BAD_REQUEST", `present: unknown card format "${name}"`);
  }
  try {
    return encode(format, field<Record<string, number>>(request, "fields", "object"));
  } catch (err) {
    if (err instanceof WiegandError) throw new ControlError(err.code, err.message);
    throw err;
  }
}
