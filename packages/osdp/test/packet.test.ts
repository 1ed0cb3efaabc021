import { describe, expect, it } from "vitest";
import { osdpChecksum, osdpCrc16 } from "../src/check.js";
import { decodeCommand, decodeReply } from "../src/messages/index.js";
import { decodePacket, encodePacket, packetBytes, SCS } from "../src/packet.js";
import { DEFAULT_SCBK } from "../src/secure/crypto.js";
import { secureTranscript } from "./support/transcript.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytes = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));

describe("check characters", () => {
  it("CRC-16/AUG-CCITT check value", () => {
    expect(osdpCrc16(new TextEncoder().encode("123456789"))).toBe(0xe5cc);
  });
  it("checksum makes the byte sum zero", () => {
    const frame = bytes("53 01 07 00 00 60");
    expect((frame.reduce((a, b) => a + b, 0) + osdpChecksum(frame)) & 0xff).toBe(0);
  });
});

describe("packet layout", () => {
  // libosdp's own unit tests (tests/unit-tests/test-cp-phy.c): POLL and ID to PD 0x65.
  it("POLL to 0x65, sequence 0, CRC, with mark: libosdp's vector", () => {
    const packet = encodePacket(
      { address: 0x65, reply: false, sequence: 0, crc: true },
      0x60,
      new Uint8Array(0),
      {
        mark: true,
      },
    );
    expect(hex(packet)).toBe("ff53650800046060" + "90");
  });
  it("ID to 0x65, sequence 1: libosdp's vector", () => {
    const packet = encodePacket(
      { address: 0x65, reply: false, sequence: 1, crc: true },
      0x61,
      Uint8Array.of(0),
      {
        mark: true,
      },
    );
    expect(hex(packet)).toBe("ff536509000561" + "00e94d");
  });
  it("a checksum packet: SOM ADDR LEN CTRL CODE CKSUM", () => {
    const packet = encodePacket(
      { address: 1, reply: true, sequence: 2, crc: false },
      0x40,
      new Uint8Array(0),
    );
    expect(hex(packet)).toBe("538107000240e3");
    expect(decodePacket(packet)).toMatchObject({
      address: 1,
      reply: true,
      sequence: 2,
      crc: false,
      code: 0x40,
    });
  });
  it("splits header, security block, code, data and MAC", () => {
    const frame = bytes("53 01 0e 00 0e 02 15 60 5f ba 5c 17 1c a8");
    const packet = decodePacket(frame);
    expect(packet).toMatchObject({ address: 1, sequence: 2, crc: true, code: 0x60 });
    expect(packet.security).toEqual({ type: SCS.COMMAND_MAC, data: new Uint8Array(0) });
    expect(hex(packet.mac as Uint8Array)).toBe("5fba5c17");
    expect(hex(packet.macInput)).toBe("53010e000e021560");
  });
  it("refuses a security block that runs past the packet", () => {
    const frame = encodePacket(
      { address: 1, reply: false, sequence: 1, crc: true },
      0x60,
      new Uint8Array(0),
    );
    const broken = frame.slice();
    broken[4] = 0x0d; // SCB flag on: the code byte becomes a block length of 0x60
    expect(() => decodePacket(broken)).toThrow(/security block length/);
  });
  it("counts wire bytes for bus-time bounds", () => {
    expect(packetBytes({ data: 0, secure: "mac" })).toBe(15);
    expect(packetBytes({ data: 8, secure: "encrypted" })).toBe(31);
    expect(packetBytes({ data: 16, secure: "encrypted" })).toBe(47);
    expect(packetBytes({ data: 0, secure: "none" })).toBe(9);
  });
});

/**
 * A complete bring-up of PD 1 under SCBK-D with RND.A = a0..a7 and RND.B = b0..b7: POLL, ID,
 * CAP, the handshake (CHLNG/CCRYPT/SCRYPT/RMAC_I), secure polls, a card (RAW in SCS_18) and
 * an OUT (SCS_17). The cryptograms were checked with the openssl command line:
 * S-ENC = AES-ECB(SCBK-D, 01 82 a0..a5 00*8) = aa6b7abe6f334db97dfadd3489e3c76a,
 * client cryptogram = AES-ECB(S-ENC, RND.A||RND.B) = e0bbef5e8f7b562af7c0fe0439daf951,
 * server cryptogram = AES-ECB(S-ENC, RND.B||RND.A) = 5009a1bcd72eb6fdbf6ea096386750cb.
 */
const TRANSCRIPT: Array<[string, string]> = [
  ["cp", "ff530108000460ba00"],
  ["pd", "ff5381080004400806"],
  ["cp", "ff530109000561005014"],
  ["pd", "ff538114000545a1b2c30201eeffc000010007869d"],
  ["cp", "ff530109000662005318"],
  ["pd", "ff5381140006460301000401010801000901015dc6"],
  ["cp", "ff530113000f03110176a0a1a2a3a4a5a6a70167"],
  [
    "pd",
    "ff53812b000f03120176a1b2c302eeffc000b0b1b2b3b4b5b6b7e0bbef5e8f7b562af7c0fe0439daf9510344",
  ],
  ["cp", "ff53011b000d031301775009a1bcd72eb6fdbf6ea096386750cb3025"],
  ["pd", "ff53811b000d0314017850082a57f11aba6ddc3549fc9d911cbfe498"],
  ["cp", "ff53010e000e0215605fba5c171ca8"],
  ["pd", "ff53810e000e021640ddcd92d45e56"],
  ["cp", "ff53010e000f021560965a2e40044b"],
  ["pd", "ff53810e000f021640f378a0748b47"],
  ["cp", "ff53010e000d02156061a6170d95ba"],
  ["pd", "ff53811e000d021850094593ad21cc8004b741540dc7326d69c91e8024de03"],
  ["cp", "ff53010e000e021560b9a345c70ba4"],
  ["pd", "ff53810e000e02164032010e9ec4e1"],
  ["cp", "ff53011e000f0217689aced2af43a81b5baefcd9d06f1b82c2f492ffb65de3"],
  ["pd", "ff53810e000f02164046866de79e21"],
  ["cp", "ff53010e000d021560a709849bc211"],
];

describe("a complete secure-channel bring-up, byte for byte", () => {
  it("matches the golden transcript", () => {
    const frames = secureTranscript(DEFAULT_SCBK).map((f) => [f.from, hex(f.bytes)]);
    expect(frames).toEqual(TRANSCRIPT);
  });

  it("carries each message in its specified security block", () => {
    const types = TRANSCRIPT.map(
      ([, frame]) => decodePacket(bytes(frame).subarray(1)).security?.type,
    );
    expect(types.slice(0, 6)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(types.slice(6, 10)).toEqual([SCS.CHLNG, SCS.CCRYPT, SCS.SCRYPT, SCS.RMAC_I]);
    expect(types.slice(10)).toContain(SCS.REPLY_ENCRYPTED);
    expect(types.slice(10)).toContain(SCS.COMMAND_ENCRYPTED);
    for (const [from, frame] of TRANSCRIPT.slice(0, 10)) {
      const packet = decodePacket(bytes(frame).subarray(1));
      if (from === "cp") expect(() => decodeCommand(packet.code, packet.data)).not.toThrow();
      else expect(() => decodeReply(packet.code, packet.data)).not.toThrow();
    }
    const chlng = decodePacket(bytes(TRANSCRIPT[6]?.[1] as string).subarray(1));
    expect(hex(chlng.security?.data as Uint8Array)).toBe("01");
    expect(hex(chlng.data)).toBe("a0a1a2a3a4a5a6a7");
    const ccrypt = decodePacket(bytes(TRANSCRIPT[7]?.[1] as string).subarray(1));
    expect(hex(ccrypt.data.subarray(16))).toBe("e0bbef5e8f7b562af7c0fe0439daf951");
    const scrypt = decodePacket(bytes(TRANSCRIPT[8]?.[1] as string).subarray(1));
    expect(hex(scrypt.data)).toBe("5009a1bcd72eb6fdbf6ea096386750cb");
    const rmac = decodePacket(bytes(TRANSCRIPT[9]?.[1] as string).subarray(1));
    expect(hex(rmac.security?.data as Uint8Array)).toBe("01");
  });
});
