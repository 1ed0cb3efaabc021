import type { CentralStatus, EdgeStatus, ReaderHealth } from "../messages.js";
import { guard } from "../state-codec/shared.js";
import {
  checkBool,
  checkCount,
  checkInstant,
  checkNonEmpty,
  checkSite,
  checkString,
  checkUint32,
} from "../validate.js";
import { checkList, decodeWith, encodeWith, int, list, str, types } from "./proto.js";

function validateEdgeStatus(s: EdgeStatus): void {
  checkSite(s.site, "EdgeStatus");
  checkBool(s.online, "EdgeStatus.online");
  checkCount(s.stateVersion, "EdgeStatus.stateVersion");
  checkCount(s.outboxDepth, "EdgeStatus.outboxDepth");
  checkBool(s.outboxAlarm, "EdgeStatus.outboxAlarm");
  checkList(s.readers, "EdgeStatus.readers");
  for (const r of s.readers) {
    checkNonEmpty(r.bus, "ReaderHealth.bus");
    if (r.address !== undefined) checkUint32(r.address, "ReaderHealth.address");
    checkNonEmpty(r.state, "ReaderHealth.state");
  }
  checkInstant(s.at, "EdgeStatus.at");
  checkString(s.session, "EdgeStatus.session");
  checkString(s.edgeKeyId, "EdgeStatus.edgeKeyId");
  checkList(s.centralKeyIds, "EdgeStatus.centralKeyIds");
  for (const id of s.centralKeyIds) checkNonEmpty(id, "EdgeStatus.centralKeyIds");
  checkBool(s.storeUnwritable, "EdgeStatus.storeUnwritable");
  checkCount(s.eventsQueued, "EdgeStatus.eventsQueued");
  checkCount(s.eventsDropped, "EdgeStatus.eventsDropped");
  checkString(s.outboxEpoch, "EdgeStatus.outboxEpoch");
  checkBool(s.syncHealthy, "EdgeStatus.syncHealthy");
}

export function encodeEdgeStatus(status: EdgeStatus): Uint8Array {
  return guard("EdgeStatus", () => {
    validateEdgeStatus(status);
    return encodeWith(types.status, status);
  });
}

export function decodeEdgeStatus(input: Uint8Array): EdgeStatus {
  return guard("EdgeStatus", () => {
    const m = decodeWith(types.status, input, "EdgeStatus");
    const status: EdgeStatus = {
      site: str(m.site),
      online: m.online === true,
      stateVersion: int(m.stateVersion),
      outboxDepth: int(m.outboxDepth),
      outboxAlarm: m.outboxAlarm === true,
      readers: list(m.readers).map(
        (r): ReaderHealth =>
          r.address == null
            ? { bus: str(r.bus), state: str(r.state) }
            : { bus: str(r.bus), address: int(r.address), state: str(r.state) },
      ),
      at: int(m.at),
      session: str(m.session),
      edgeKeyId: str(m.edgeKeyId),
      centralKeyIds: Array.isArray(m.centralKeyIds) ? m.centralKeyIds.map(str) : [],
      storeUnwritable: m.storeUnwritable === true,
      eventsQueued: m.eventsQueued == null ? 0 : int(m.eventsQueued),
      eventsDropped: m.eventsDropped == null ? 0 : int(m.eventsDropped),
      outboxEpoch: str(m.outboxEpoch),
      syncHealthy: m.syncHealthy === true,
    };
    validateEdgeStatus(status);
    return status;
  });
}

function validateCentralStatus(s: CentralStatus): void {
  checkBool(s.online, "CentralStatus.online");
  checkInstant(s.at, "CentralStatus.at");
  checkString(s.session, "CentralStatus.session");
}

export function encodeCentralStatus(status: CentralStatus): Uint8Array {
  return guard("CentralStatus", () => {
    validateCentralStatus(status);
    return encodeWith(types.centralStatus, status);
  });
}

export function decodeCentralStatus(input: Uint8Array): CentralStatus {
  return guard("CentralStatus", () => {
    const m = decodeWith(types.centralStatus, input, "CentralStatus");
    const status: CentralStatus = {
      online: m.online === true,
      at: int(m.at),
      session: str(m.session),
    };
    validateCentralStatus(status);
    return status;
  });
}
