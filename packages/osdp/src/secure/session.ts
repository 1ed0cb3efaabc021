import { OsdpError } from "../errors.js";
import { encodePacket, type Packet, type PacketHeader, SCS } from "../packet.js";
import {
  computeMac,
  decryptData,
  encryptData,
  initialRmac,
  macEquals,
  type SessionKeys,
} from "./crypto.js";

type Direction = "command" | "reply";

/**
 * An established secure channel (Annex D): the session keys and the MAC chain. Every
 * command's MAC starts from the last reply's MAC, every reply's from the command it
 * answers; data is encrypted with the complement of the other side's last MAC as IV.
 */
export class SecureSession {
  private readonly keys: SessionKeys;
  /** The last command MAC (C-MAC), all 16 bytes. */
  private cMac: Uint8Array;
  /** The last reply MAC (R-MAC); RMAC_I before the first command. */
  private rMac: Uint8Array;

  constructor(keys: SessionKeys, serverCryptogram: Uint8Array) {
    this.keys = keys;
    this.rMac = initialRmac(keys.mac1, keys.mac2, serverCryptogram);
    this.cMac = new Uint8Array(16);
  }

  get initialRmac(): Uint8Array {
    return this.rMac;
  }

  /**
   * Encodes a packet inside the channel: SCS_15/16 when there is no data, SCS_17/18 with
   * the data encrypted, the MAC over SOM..data chained from the other side's last MAC.
   */
  seal(
    direction: Direction,
    header: Omit<PacketHeader, "security">,
    code: number,
    data: Uint8Array,
    mark: boolean,
  ): Uint8Array {
    const other = direction === "command" ? this.rMac : this.cMac;
    const encrypted = data.length > 0;
    const type =
      direction === "command"
        ? encrypted
          ? SCS.COMMAND_ENCRYPTED
          : SCS.COMMAND_MAC
        : encrypted
          ? SCS.REPLY_ENCRYPTED
          : SCS.REPLY_MAC;
    const payload = encrypted ? encryptData(this.keys.enc, other, data) : data;
    let mac: Uint8Array | undefined;
    const bytes = encodePacket(
      { ...header, security: { type, data: new Uint8Array(0) } },
      code,
      payload,
      {
        mark,
        mac: (input) => {
          mac = computeMac(this.keys.mac1, this.keys.mac2, other, input);
          return mac;
        },
      },
    );
    if (direction === "command") this.cMac = mac as Uint8Array;
    else this.rMac = mac as Uint8Array;
    return bytes;
  }

  /**
   * Verifies a packet's MAC against the chain and returns its plain data. A bad MAC
   * throws BAD_MAC and leaves the chain as it was; the caller ends the session.
   */
  open(direction: Direction, packet: Packet): Uint8Array {
    const type = packet.security?.type;
    const [macOnly, withData] =
      direction === "command"
        ? [SCS.COMMAND_MAC, SCS.COMMAND_ENCRYPTED]
        : [SCS.REPLY_MAC, SCS.REPLY_ENCRYPTED];
    if (type !== macOnly && type !== withData) {
      throw new OsdpError(
        "NOT_SECURE",
        `expected a secure ${direction} (SCS_${macOnly.toString(16)}/${withData.toString(16)}), got ${
          type === undefined ? "clear text" : `SCS_${type.toString(16)}`
        }`,
      );
    }
    const other = direction === "command" ? this.rMac : this.cMac;
    const mac = computeMac(this.keys.mac1, this.keys.mac2, other, packet.macInput);
    if (!packet.mac || !macEquals(mac.subarray(0, 4), packet.mac)) {
      throw new OsdpError("BAD_MAC", `${direction} MAC does not verify`);
    }
    // SCS_15/16 may carry data in clear; SCS_17/18 carry it encrypted.
    const data = type === withData ? decryptData(this.keys.enc, other, packet.data) : packet.data;
    if (direction === "command") this.cMac = mac;
    else this.rMac = mac;
    return data;
  }
}
