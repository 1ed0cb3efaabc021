import { COMMAND_CODES, commandKindOf } from "../codes.js";
import { BadPayloadError, OsdpError, UnknownCodeError } from "../errors.js";
import { PayloadReader, PayloadWriter } from "./bytes.js";
import type { Codec } from "./codec.js";
import { COMMAND_CODECS } from "./command-codecs.js";
import type { Command } from "./types.js";

/** A command on the wire: its code and its data (everything between code and MAC/check). */
export interface EncodedCommand {
  readonly code: number;
  readonly data: Uint8Array;
}

// COMMAND_CODECS is keyed by kind with a matching codec type; TypeScript cannot follow
// that correlation through an indexed access, so the lookup widens to the union once here.
function codecOf(kind: Command["kind"]): Codec<Command> | undefined {
  return COMMAND_CODECS[kind] as Codec<Command> | undefined;
}

/** The code and data of a command. Throws BadPayloadError for a value out of range. */
export function encodeCommand(command: Command): EncodedCommand {
  const code: number | undefined = COMMAND_CODES[command.kind];
  const codec = codecOf(command.kind);
  if (code === undefined || codec === undefined) {
    throw new OsdpError("UNKNOWN_CODE", `unknown command kind ${String(command.kind)}`);
  }
  const out = new PayloadWriter(code);
  codec.encode(command, out);
  return { code, data: out.finish() };
}

/**
 * The typed command of a code and its data. Throws UnknownCodeError for a code v2.2
 * does not define and BadPayloadError for data that does not match the layout; nothing
 * else, whatever the bytes.
 */
export function decodeCommand(code: number, data: Uint8Array): Command {
  const kind = commandKindOf(code);
  if (kind === undefined) throw new UnknownCodeError(code, "command");
  if (!(data instanceof Uint8Array)) throw new BadPayloadError(code, "data must be a Uint8Array");
  const input = new PayloadReader(code, data);
  const command = codecOf(kind)!.decode(input);
  input.expectEnd();
  return command;
}
