import type { FingerprintOutcome } from "../decision/decide.js";

/**
 * A fingerprint terminal paired with a door's card reader. The edge hands it the template
 * enrolled for the presented card; the finger is matched on the terminal, and only a
 * score comes back. Templates never leave the site. (Its OSDP implementation, with
 * BIOMATCH, comes with the OSDP bus.)
 */
export interface FingerprintTerminal {
  readonly id: string;
  /** Arms the terminal: waits up to `timeoutMs` for a finger and matches it against `template`. */
  verify(request: {
    readonly template: Uint8Array;
    readonly timeoutMs: number;
  }): Promise<FingerprintOutcome>;
  /** Captures a finger for enrollment; undefined when none was presented in time. */
  capture(request: { readonly timeoutMs: number }): Promise<Uint8Array | undefined>;
}

/** A terminal for tests and the demo: the test decides which finger is put on it. */
export class FakeFingerprintTerminal implements FingerprintTerminal {
  readonly id: string;
  readonly requests: Array<{ template: Uint8Array; timeoutMs: number }> = [];
  private readonly fingers: Uint8Array[] = [];

  constructor(id: string) {
    this.id = id;
  }

  /** The next verify or capture sees this finger; with none queued, verify times out. */
  presentFinger(template: Uint8Array): void {
    this.fingers.push(template);
  }

  verify(request: { template: Uint8Array; timeoutMs: number }): Promise<FingerprintOutcome> {
    this.requests.push(request);
    const finger = this.fingers.shift();
    if (!finger) return Promise.resolve({ kind: "timeout" });
    return Promise.resolve({ kind: "match", score: similarity(request.template, finger) });
  }

  capture(): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.fingers.shift());
  }
}

/** 0..100: the share of equal bytes, enough for a fake whose fingers are byte strings. */
export function similarity(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) same++;
  return Math.round((same / n) * 100);
}
