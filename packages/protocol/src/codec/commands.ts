import {
  COMMAND_KINDS,
  COMMAND_OUTCOMES,
  type CommandAction,
  type CommandResult,
  type SiteCommand,
} from "../messages.js";
import { DOOR_MODES } from "../model.js";
import { guard } from "../state-codec/shared.js";
import {
  checkBool,
  checkInstant,
  checkKeyId,
  checkNonEmpty,
  checkSite,
  checkString,
  enumCode,
  enumCodes,
  enumValue,
} from "../validate.js";
import { malformed } from "../wire.js";
import {
  type Decoded,
  decodeWith,
  encodeWith,
  int,
  message,
  optionalStr,
  str,
  types,
} from "./proto.js";

const DOOR_MODE_CODES = enumCodes(DOOR_MODES);
const COMMAND_OUTCOME_CODES = enumCodes(COMMAND_OUTCOMES);

function validateCommand(c: SiteCommand): void {
  checkNonEmpty(c.id, "SiteCommand.id");
  checkSite(c.site, "SiteCommand");
  checkInstant(c.issuedAt, "SiteCommand.issuedAt");
  checkInstant(c.expiresAt, "SiteCommand.expiresAt");
  const a = c.action;
  if (typeof a !== "object" || a === null) throw malformed("SiteCommand.action: missing");
  switch (a.kind) {
    case "remote-open":
      checkNonEmpty(a.doorId, "SiteCommand.action.doorId");
      checkString(a.reason, "SiteCommand.action.reason");
      checkString(a.operator, "SiteCommand.action.operator");
      return;
    case "lockdown":
      checkBool(a.on, "SiteCommand.action.on");
      checkString(a.reason, "SiteCommand.action.reason");
      return;
    case "door-mode":
      checkNonEmpty(a.doorId, "SiteCommand.action.doorId");
      enumCode(DOOR_MODE_CODES, a.mode, "SiteCommand.action.mode");
      return;
    case "trust-central-key":
      checkKeyId(a.keyId, "SiteCommand.action.keyId");
      checkNonEmpty(a.publicKeyPem, "SiteCommand.action.publicKeyPem");
      return;
    case "untrust-central-key":
      checkKeyId(a.keyId, "SiteCommand.action.keyId");
      return;
    default:
      throw malformed(
        `SiteCommand.action.kind: unknown value ${JSON.stringify((a as { kind?: unknown }).kind)} (known: ${COMMAND_KINDS.join(", ")})`,
      );
  }
}

function actionToProto(a: CommandAction): object {
  switch (a.kind) {
    case "remote-open":
      return { remoteOpen: { doorId: a.doorId, reason: a.reason, operator: a.operator } };
    case "lockdown":
      return { lockdown: { on: a.on, reason: a.reason } };
    case "door-mode":
      return {
        doorMode: { doorId: a.doorId, mode: enumCode(DOOR_MODE_CODES, a.mode, "mode") },
      };
    case "trust-central-key":
      return { trustCentralKey: { keyId: a.keyId, publicKeyPem: a.publicKeyPem } };
    case "untrust-central-key":
      return { untrustCentralKey: { keyId: a.keyId } };
  }
}

function actionFromProto(m: Decoded): CommandAction {
  switch (m.action) {
    case "remoteOpen": {
      const a = message(m.remoteOpen) ?? {};
      return {
        kind: "remote-open",
        doorId: str(a.doorId),
        reason: str(a.reason),
        operator: str(a.operator),
      };
    }
    case "lockdown": {
      const a = message(m.lockdown) ?? {};
      return { kind: "lockdown", on: a.on === true, reason: str(a.reason) };
    }
    case "doorMode": {
      const a = message(m.doorMode) ?? {};
      return {
        kind: "door-mode",
        doorId: str(a.doorId),
        mode: enumValue(DOOR_MODES, int(a.mode), "SiteCommand.action.mode"),
      };
    }
    case "trustCentralKey": {
      const a = message(m.trustCentralKey) ?? {};
      return {
        kind: "trust-central-key",
        keyId: str(a.keyId),
        publicKeyPem: str(a.publicKeyPem),
      };
    }
    case "untrustCentralKey": {
      const a = message(m.untrustCentralKey) ?? {};
      return { kind: "untrust-central-key", keyId: str(a.keyId) };
    }
    default:
      throw malformed("SiteCommand.action: missing or unknown");
  }
}

export function encodeCommand(command: SiteCommand): Uint8Array {
  return guard("SiteCommand", () => {
    validateCommand(command);
    return encodeWith(types.command, {
      id: command.id,
      site: command.site,
      issuedAt: command.issuedAt,
      expiresAt: command.expiresAt,
      ...actionToProto(command.action),
    });
  });
}

export function decodeCommand(input: Uint8Array): SiteCommand {
  return guard("SiteCommand", () => {
    const m = decodeWith(types.command, input, "SiteCommand");
    const command: SiteCommand = {
      id: str(m.id),
      site: str(m.site),
      issuedAt: int(m.issuedAt),
      expiresAt: int(m.expiresAt),
      action: actionFromProto(m),
    };
    validateCommand(command);
    return command;
  });
}

function validateCommandResult(r: CommandResult): void {
  checkNonEmpty(r.id, "CommandResult.id");
  checkSite(r.site, "CommandResult");
  enumCode(COMMAND_OUTCOME_CODES, r.outcome, "CommandResult.outcome");
  if (r.reason !== null) checkString(r.reason, "CommandResult.reason");
  checkInstant(r.at, "CommandResult.at");
}

export function encodeCommandResult(result: CommandResult): Uint8Array {
  return guard("CommandResult", () => {
    validateCommandResult(result);
    return encodeWith(types.result, {
      id: result.id,
      site: result.site,
      outcome: enumCode(COMMAND_OUTCOME_CODES, result.outcome, "CommandResult.outcome"),
      reason: result.reason,
      at: result.at,
    });
  });
}

export function decodeCommandResult(input: Uint8Array): CommandResult {
  return guard("CommandResult", () => {
    const m = decodeWith(types.result, input, "CommandResult");
    const result: CommandResult = {
      id: str(m.id),
      site: str(m.site),
      outcome: enumValue(COMMAND_OUTCOMES, int(m.outcome), "CommandResult.outcome"),
      reason: optionalStr(m.reason),
      at: int(m.at),
    };
    validateCommandResult(result);
    return result;
  });
}
