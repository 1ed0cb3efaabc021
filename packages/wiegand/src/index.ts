export {
  C1000_35,
  C1000_48,
  FORMATS,
  H10301,
  H10302,
  H10304,
  H10306,
  RAW,
} from "./builtin-formats.js";
export { decode } from "./decode.js";
export { defineFormat } from "./define-format.js";
export { encode } from "./encode.js";
export {
  FieldRangeError,
  type FormatProblem,
  InvalidBitsError,
  InvalidFormatError,
  ParityError,
  UnknownLengthError,
  WiegandError,
  type WiegandErrorCode,
} from "./errors.js";
export {
  type Bits,
  type DecodedCard,
  type FieldSpec,
  type FixedFormat,
  type Format,
  isRawFormat,
  MAX_BITS,
  MAX_FIELD_BITS,
  type ParityKind,
  type ParitySpec,
  type RawFormat,
} from "./format.js";
export { longestBits } from "./reader-lengths.js";
