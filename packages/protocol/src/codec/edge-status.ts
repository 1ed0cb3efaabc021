import type { EdgeStatus, ReaderHealth } from "../messages.js";
import { guard } from "../state-codec/shared.js";
import {
  checkBool,
  checkCount,
  checkInstant,
  checkNonEmpty,
  checkSite,
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
    };
    validateEdgeStatus(status);
    return status;
  });
}
