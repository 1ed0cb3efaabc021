/**
 * The typed commands (CP -> PD) and replies (PD -> CP) of SIA OSDP v2.2. Field names
 * follow the specification; times keep the specification's units (named in the field)
 * so that a value survives encode/decode unchanged.
 */

/** osdp_OUT, one record: output number, control code, timer in 100 ms units. */
export interface OutputControl {
  readonly output: number;
  /**
   * 0 NOP, 1 permanent off (abort timed), 2 permanent on (abort timed),
   * 3 permanent off (allow timed to finish), 4 permanent on (allow timed to finish),
   * 5 temporary on then off, 6 temporary off then on.
   */
  readonly controlCode: number;
  readonly timer100ms: number;
}

/** osdp_LED, one 14-byte record. Times in 100 ms units; colors 0 black .. 7 white. */
export interface LedControl {
  readonly reader: number;
  readonly led: number;
  readonly temporary: {
    /** 0 NOP, 1 cancel temporary and show permanent, 2 set temporary and start timer. */
    readonly controlCode: number;
    readonly onTime100ms: number;
    readonly offTime100ms: number;
    readonly onColor: number;
    readonly offColor: number;
    readonly timer100ms: number;
  };
  readonly permanent: {
    /** 0 NOP, 1 set permanent state. */
    readonly controlCode: number;
    readonly onTime100ms: number;
    readonly offTime100ms: number;
    readonly onColor: number;
    readonly offColor: number;
  };
}

export interface BuzzerControl {
  readonly reader: number;
  /** 0 no tone (off), 1 off, 2 default tone. */
  readonly toneCode: number;
  readonly onTime100ms: number;
  readonly offTime100ms: number;
  /** 0 = until told otherwise. */
  readonly count: number;
}

export interface TextOutput {
  readonly reader: number;
  /** 1 permanent no wrap, 2 permanent wrap, 3 temporary no wrap, 4 temporary wrap. */
  readonly command: number;
  readonly tempTextSeconds: number;
  readonly row: number;
  readonly column: number;
  /** Printable ASCII. */
  readonly text: string;
}

/** Key types of the security control block and of KEYSET. */
export const SCBK_DEFAULT = 0x00;
export const SCBK = 0x01;

export type Command =
  | { readonly kind: "poll" }
  | { readonly kind: "id" }
  | { readonly kind: "cap" }
  | { readonly kind: "lstat" }
  | { readonly kind: "istat" }
  | { readonly kind: "ostat" }
  | { readonly kind: "rstat" }
  | { readonly kind: "out"; readonly outputs: readonly OutputControl[] }
  | { readonly kind: "led"; readonly leds: readonly LedControl[] }
  | ({ readonly kind: "buz" } & BuzzerControl)
  | ({ readonly kind: "text" } & TextOutput)
  | { readonly kind: "comset"; readonly address: number; readonly baudRate: number }
  /** keyType 0x01 (SCBK); the key is 16 bytes for AES-128. */
  | { readonly kind: "keyset"; readonly keyType: number; readonly key: Uint8Array }
  /** RND.A, 8 bytes. */
  | { readonly kind: "chlng"; readonly rndA: Uint8Array }
  /** The server cryptogram, 16 bytes. */
  | { readonly kind: "scrypt"; readonly serverCryptogram: Uint8Array }
  | {
      readonly kind: "bioread";
      readonly reader: number;
      readonly bioType: number;
      readonly bioFormat: number;
      readonly quality: number;
    }
  | {
      readonly kind: "biomatch";
      readonly reader: number;
      readonly bioType: number;
      readonly bioFormat: number;
      readonly qualityThreshold: number;
      readonly template: Uint8Array;
    }
  | { readonly kind: "acurxsize"; readonly maxReceiveSize: number }
  | {
      readonly kind: "filetransfer";
      readonly fileType: number;
      readonly totalSize: number;
      readonly offset: number;
      readonly data: Uint8Array;
    }
  /** Vendor code: 3 bytes (IEEE OUI). */
  | { readonly kind: "mfg"; readonly vendorCode: Uint8Array; readonly data: Uint8Array }
  | { readonly kind: "keepactive"; readonly keepAliveMs: number }
  | { readonly kind: "abort" };

export interface PdIdentification {
  /** 3 bytes (IEEE OUI). */
  readonly vendorCode: Uint8Array;
  readonly model: number;
  readonly version: number;
  readonly serialNumber: number;
  readonly firmware: { readonly major: number; readonly minor: number; readonly build: number };
}

/** One PDCAP record: function code (1..16), compliance level, number of items. */
export interface Capability {
  readonly functionCode: number;
  readonly compliance: number;
  readonly numberOf: number;
}

export type Reply =
  | { readonly kind: "ack" }
  /** Error code (see NAK_CODES), optionally with data (e.g. the NAK_SC_COND detail). */
  | { readonly kind: "nak"; readonly errorCode: number; readonly data: Uint8Array }
  | ({ readonly kind: "pdid" } & PdIdentification)
  | { readonly kind: "pdcap"; readonly capabilities: readonly Capability[] }
  /** 0 normal, 1 tamper; 0 normal, 1 power failure. */
  | { readonly kind: "lstatr"; readonly tamper: number; readonly power: number }
  /** One status byte per input: 0 inactive, 1 active. */
  | { readonly kind: "istatr"; readonly inputs: readonly number[] }
  /** One status byte per output: 0 inactive, 1 active. */
  | { readonly kind: "ostatr"; readonly outputs: readonly number[] }
  /** One status byte per reader: 0 normal, 1 not connected, 2 tamper. */
  | { readonly kind: "rstatr"; readonly readers: readonly number[] }
  /**
   * Card data, bit-packed MSB first. Format 0x00: raw bits without interpretation,
   * 0x01: Wiegand bits with parity.
   */
  | {
      readonly kind: "raw";
      readonly reader: number;
      readonly format: number;
      readonly bitCount: number;
      readonly data: Uint8Array;
    }
  /** Deprecated by v2.2 (use raw); decoded so an old reader does not go offline. */
  | {
      readonly kind: "fmt";
      readonly reader: number;
      readonly direction: number;
      readonly data: string;
    }
  /**
   * Keypad digits '0'..'9', '*' and '#' (on the wire '*' is 0x7F and '#' is 0x0D), and the
   * function keys the specification reports as 'A'..'D' (F1..F4) and 'E'..'H' (F1&F2,
   * F2&F3, F3&F4, F1&F4).
   */
  | { readonly kind: "keypad"; readonly reader: number; readonly digits: string }
  | { readonly kind: "com"; readonly address: number; readonly baudRate: number }
  | {
      readonly kind: "bioreadr";
      readonly reader: number;
      readonly status: number;
      readonly bioType: number;
      readonly quality: number;
      readonly template: Uint8Array;
    }
  | {
      readonly kind: "biomatchr";
      readonly reader: number;
      readonly status: number;
      readonly score: number;
    }
  /** Client UID (8), RND.B (8), client cryptogram (16). */
  | {
      readonly kind: "ccrypt";
      readonly clientUid: Uint8Array;
      readonly rndB: Uint8Array;
      readonly clientCryptogram: Uint8Array;
    }
  /** The initial reply MAC, 16 bytes. */
  | { readonly kind: "rmac_i"; readonly initialRmac: Uint8Array }
  | { readonly kind: "busy" }
  | {
      readonly kind: "ftstat";
      readonly action: number;
      readonly delayMs: number;
      /** Signed: 0 ok, 1 processed, 2 rebooting, 3 finishing; negative: errors. */
      readonly status: number;
      readonly updateMessageMax: number;
    }
  | { readonly kind: "mfgrep"; readonly vendorCode: Uint8Array; readonly data: Uint8Array };

export type CommandKind = Command["kind"];
export type ReplyKind = Reply["kind"];
