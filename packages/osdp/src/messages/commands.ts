import { COMMAND_CODES, commandKindOf } from "../codes.js";
import { decodeMessage, type EncodedMessage, encodeMessage, type MessageSet } from "./codec.js";
import { COMMAND_CODECS } from "./command-codecs.js";
import type { Command } from "./types.js";

/** A command on the wire: its code and its data (everything between code and MAC/check). */
export type EncodedCommand = EncodedMessage;

const COMMANDS: MessageSet<Command> = {
  what: "command",
  codes: COMMAND_CODES,
  codecs: COMMAND_CODECS,
  kindOf: commandKindOf,
};

/** The code and data of a command. Throws BadPayloadError for a value out of range. */
export function encodeCommand(command: Command): EncodedCommand {
  return encodeMessage(COMMANDS, command);
}

/**
 * The typed command of a code and its data. Throws UnknownCodeError for a code v2.2
 * does not define and BadPayloadError for data that does not match the layout; nothing
 * else, whatever the bytes.
 */
export function decodeCommand(code: number, data: Uint8Array): Command {
  return decodeMessage(COMMANDS, code, data);
}
