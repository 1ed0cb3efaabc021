import { NAK_CODES } from "@acs/osdp";
import { DeadlineTimer } from "../bridge/deadline-timer.js";
import type { SimClock } from "../clock.js";
import type { BuzzerControl, LedControl, Reply, TextOutput } from "./osdp-types.js";
import type { PdOutputEvent } from "./pd-base.js";
import { ACK, LED_COLOR_NAMES, type LedColorName, nak, TONE } from "./spec.js";

const UNIT_US = 100_000; // the specification's 100 ms unit

/** One LED state: flashes between two colours, or shows one steadily. Times in 100 ms units. */
interface LedPattern {
  readonly onTime100ms: number;
  readonly offTime100ms: number;
  readonly onColor: number;
  readonly offColor: number;
}

const STEADY_OFF: LedPattern = { onTime100ms: 0, offTime100ms: 0, onColor: 0, offColor: 0 };

function flashes(p: LedPattern): boolean {
  return p.onTime100ms > 0 && p.offTime100ms > 0;
}

/**
 * The colour of a pattern that does not flash: the on colour when there is no off time (so
 * on 0 / off 0 means "show the on colour", as CPs commonly send it), the off colour when only
 * the off time is set.
 */
function steadyColor(p: LedPattern): number {
  return p.offTime100ms === 0 ? p.onColor : p.offColor;
}

/**
 * One LED of a reader. The permanent state shows unless a temporary state runs: the temporary
 * state shows for its timer and then the permanent state comes back. A pattern with both an on
 * and an off time flashes, starting with the on colour whenever it (re)starts showing.
 */
class LedChannel {
  readonly #clock: SimClock;
  readonly #onChange: (color: number, atUs: number) => void;
  readonly #flashTimer: DeadlineTimer;
  readonly #temporaryTimer: DeadlineTimer;
  #permanent: LedPattern = STEADY_OFF;
  #temporary: LedPattern | undefined;
  #color = 0;
  #phaseOn = true;
  #nextToggleUs = 0;
  #temporaryEndsUs = 0;

  constructor(clock: SimClock, onChange: (color: number, atUs: number) => void) {
    this.#clock = clock;
    this.#onChange = onChange;
    this.#flashTimer = new DeadlineTimer(clock, (nowUs) => this.#toggle(nowUs));
    this.#temporaryTimer = new DeadlineTimer(clock, (nowUs) => this.#temporaryEnded(nowUs));
  }

  get color(): number {
    return this.#color;
  }

  /** Applies a validated record. */
  apply(record: LedControl): void {
    const nowUs = this.#clock.nowUs();
    let restart = false;
    if (record.permanent.controlCode === 1) {
      this.#permanent = { ...record.permanent };
      restart = this.#temporary === undefined;
    }
    const temporary = record.temporary;
    if (
      temporary.controlCode === 1 ||
      (temporary.controlCode === 2 && temporary.timer100ms === 0)
    ) {
      // Cancel, or a temporary state whose timer is already over: the permanent state shows.
      restart ||= this.#temporary !== undefined;
      this.#temporary = undefined;
      this.#temporaryTimer.cancel();
    } else if (temporary.controlCode === 2) {
      this.#temporary = { ...temporary };
      this.#temporaryTimer.cancel();
      this.#temporaryEndsUs = nowUs + temporary.timer100ms * UNIT_US;
      this.#temporaryTimer.armAt(this.#temporaryEndsUs);
      restart = true;
    }
    if (restart) this.#show(this.#temporary ?? this.#permanent, nowUs, nowUs);
  }

  stop(): void {
    this.#flashTimer.cancel();
    this.#temporaryTimer.cancel();
  }

  #show(pattern: LedPattern, startUs: number, atUs: number): void {
    this.#flashTimer.cancel();
    if (flashes(pattern)) {
      this.#phaseOn = true;
      this.#nextToggleUs = startUs + pattern.onTime100ms * UNIT_US;
      this.#flashTimer.armAt(this.#nextToggleUs);
      this.#set(pattern.onColor, atUs);
    } else {
      this.#set(steadyColor(pattern), atUs);
    }
  }

  #toggle(nowUs: number): void {
    if (this.#temporary !== undefined && this.#nextToggleUs >= this.#temporaryEndsUs) {
      // The flash edge and the end of the temporary state fall together, whichever timer
      // fires first: the temporary state ends, with no flash edge in between.
      this.#temporaryTimer.cancel();
      this.#temporaryEnded(nowUs);
      return;
    }
    const pattern = this.#temporary ?? this.#permanent;
    this.#phaseOn = !this.#phaseOn;
    // From the nominal edge, so a late timer does not make the flashing drift.
    this.#nextToggleUs += (this.#phaseOn ? pattern.onTime100ms : pattern.offTime100ms) * UNIT_US;
    this.#flashTimer.armAt(this.#nextToggleUs);
    this.#set(this.#phaseOn ? pattern.onColor : pattern.offColor, nowUs);
  }

  #temporaryEnded(nowUs: number): void {
    this.#temporary = undefined;
    this.#show(this.#permanent, nowUs, nowUs);
  }

  #set(color: number, atUs: number): void {
    if (color === this.#color) return;
    this.#color = color;
    this.#onChange(color, atUs);
  }
}

/**
 * A reader's buzzer: tone code 2 sounds `count` on/off cycles (0: until told otherwise);
 * tone codes 0 and 1 silence it. Each command replaces the previous one.
 */
class BuzzerChannel {
  readonly #clock: SimClock;
  readonly #onChange: (on: boolean, atUs: number) => void;
  readonly #timer: DeadlineTimer;
  #on = false;
  #onUs = 0;
  #offUs = 0;
  #count = 0;
  #cycles = 0;
  #nextUs = 0;

  constructor(clock: SimClock, onChange: (on: boolean, atUs: number) => void) {
    this.#clock = clock;
    this.#onChange = onChange;
    this.#timer = new DeadlineTimer(clock, (nowUs) => this.#phaseEnded(nowUs));
  }

  get on(): boolean {
    return this.#on;
  }

  /** Applies a validated command. */
  apply(command: BuzzerControl): void {
    const nowUs = this.#clock.nowUs();
    this.#timer.cancel();
    if (command.toneCode !== TONE.DEFAULT || command.onTime100ms === 0) {
      this.#set(false, nowUs);
      return;
    }
    this.#onUs = command.onTime100ms * UNIT_US;
    this.#offUs = command.offTime100ms * UNIT_US;
    this.#count = command.count;
    this.#cycles = 0;
    this.#set(true, nowUs);
    if (this.#count === 0 && this.#offUs === 0) return; // steady until told otherwise
    this.#nextUs = nowUs + (this.#offUs === 0 ? this.#count * this.#onUs : this.#onUs);
    if (this.#offUs === 0) this.#cycles = this.#count - 1; // one continuous tone
    this.#timer.armAt(this.#nextUs);
  }

  stop(): void {
    this.#timer.cancel();
  }

  #phaseEnded(nowUs: number): void {
    if (this.#on) {
      this.#cycles++;
      if (this.#count > 0 && this.#cycles >= this.#count) {
        this.#set(false, nowUs);
        return;
      }
      this.#nextUs += this.#offUs;
      this.#set(false, nowUs);
    } else {
      this.#nextUs += this.#onUs;
      this.#set(true, nowUs);
    }
    this.#timer.armAt(this.#nextUs);
  }

  #set(on: boolean, atUs: number): void {
    if (on === this.#on) return;
    this.#on = on;
    this.#onChange(on, atUs);
  }
}

/**
 * A character display emulating a terminal: text is written at a row and column (both from 1)
 * over what is there. Temporary text shows on a blank display for its time, then the permanent
 * text comes back. Text past the end of the last row is cut off.
 */
class TextDisplay {
  readonly rows: number;
  readonly columns: number;
  readonly #clock: SimClock;
  readonly #onChange: (text: string, atUs: number) => void;
  readonly #timer: DeadlineTimer;
  readonly #permanent: string[][];
  #temporary: string[][] | undefined;
  #shown: string;

  constructor(
    clock: SimClock,
    rows: number,
    columns: number,
    onChange: (text: string, atUs: number) => void,
  ) {
    this.#clock = clock;
    this.rows = rows;
    this.columns = columns;
    this.#onChange = onChange;
    this.#timer = new DeadlineTimer(clock, (nowUs) => {
      this.#temporary = undefined;
      this.#refresh(nowUs);
    });
    this.#permanent = this.#blank();
    this.#shown = this.#render(this.#permanent);
  }

  /** What the display shows: rows joined by "\n", trailing blanks removed. */
  get text(): string {
    return this.#shown;
  }

  /** Applies a validated command (command 1..4, row and column on the display). */
  apply(command: TextOutput): void {
    const nowUs = this.#clock.nowUs();
    const temporary = command.command >= 3;
    const wrap = command.command === 2 || command.command === 4;
    this.#timer.cancel();
    if (temporary) {
      if (command.tempTextSeconds === 0) {
        this.#temporary = undefined; // shown for no time at all
      } else {
        this.#temporary = this.#blank();
        this.#write(this.#temporary, command, wrap);
        this.#timer.armAt(nowUs + command.tempTextSeconds * 1_000_000);
      }
    } else {
      this.#temporary = undefined;
      this.#write(this.#permanent, command, wrap);
    }
    this.#refresh(nowUs);
  }

  stop(): void {
    this.#timer.cancel();
  }

  #write(screen: string[][], command: TextOutput, wrap: boolean): void {
    let row = command.row - 1;
    let column = command.column - 1;
    for (const ch of command.text) {
      if (column >= this.columns) {
        if (!wrap || row + 1 >= this.rows) return;
        row++;
        column = 0;
      }
      screen[row]![column] = ch;
      column++;
    }
  }

  #refresh(atUs: number): void {
    const shown = this.#render(this.#temporary ?? this.#permanent);
    if (shown === this.#shown) return;
    this.#shown = shown;
    this.#onChange(shown, atUs);
  }

  #blank(): string[][] {
    return Array.from({ length: this.rows }, () => new Array<string>(this.columns).fill(" "));
  }

  #render(screen: string[][]): string {
    return screen.map((row) => row.join("").trimEnd()).join("\n");
  }
}

export interface ReaderIndicatorsOptions {
  readonly clock: SimClock;
  /** Readers, numbered from 0. */
  readonly readers: number;
  /** LEDs per reader, numbered from 0. */
  readonly ledsPerReader: number;
  /** Text display per reader: rows × columns, or none. */
  readonly display?: { readonly rows: number; readonly columns: number };
  readonly onOutput: (event: PdOutputEvent) => void;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * The LEDs, buzzer and text display of a PD's readers, driven by osdp_LED, osdp_BUZ and
 * osdp_TEXT. A command with any record the PD cannot carry out (a reader, LED, control code,
 * colour, row or column it does not have) is refused whole with NAK 0x09 and changes nothing.
 */
export class ReaderIndicators {
  readonly readers: number;
  readonly ledsPerReader: number;
  readonly #leds: LedChannel[][];
  readonly #buzzers: BuzzerChannel[];
  readonly #displays: TextDisplay[] | undefined;

  constructor(options: ReaderIndicatorsOptions) {
    const { clock, readers, ledsPerReader, display, onOutput } = options;
    for (const [name, value] of [
      ["readers", readers],
      ["ledsPerReader", ledsPerReader],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 255) {
        throw new RangeError(`${name} must be an integer 1..255, got ${value}`);
      }
    }
    this.readers = readers;
    this.ledsPerReader = ledsPerReader;
    this.#leds = Array.from({ length: readers }, (_, reader) =>
      Array.from(
        { length: ledsPerReader },
        (_, led) =>
          new LedChannel(clock, (color, atUs) =>
            onOutput({ event: "led", reader, led, color: LED_COLOR_NAMES[color]!, atUs }),
          ),
      ),
    );
    this.#buzzers = Array.from(
      { length: readers },
      (_, reader) =>
        new BuzzerChannel(clock, (on, atUs) => onOutput({ event: "buzzer", reader, on, atUs })),
    );
    this.#displays =
      display &&
      Array.from(
        { length: readers },
        (_, reader) =>
          new TextDisplay(clock, display.rows, display.columns, (text, atUs) =>
            onOutput({ event: "text", reader, text, atUs }),
          ),
      );
  }

  get hasDisplay(): boolean {
    return this.#displays !== undefined;
  }

  handleLed(leds: readonly LedControl[]): Reply {
    if (!leds.every((record) => this.#ledRecordOk(record))) return nak(NAK_CODES.UNABLE_TO_PROCESS);
    for (const record of leds) this.#leds[record.reader]![record.led]!.apply(record);
    return ACK;
  }

  handleBuzzer(command: BuzzerControl): Reply {
    if (!this.#readerOk(command.reader) || command.toneCode > TONE.DEFAULT) {
      return nak(NAK_CODES.UNABLE_TO_PROCESS);
    }
    this.#buzzers[command.reader]!.apply(command);
    return ACK;
  }

  /** Undefined when the readers have no display (the command is then unknown: NAK 0x03). */
  handleText(command: TextOutput): Reply | undefined {
    if (!this.#displays) return undefined;
    const display = this.#displays[command.reader];
    const ok =
      display !== undefined &&
      command.command >= 1 &&
      command.command <= 4 &&
      command.row >= 1 &&
      command.row <= display.rows &&
      command.column >= 1 &&
      command.column <= display.columns &&
      PRINTABLE.test(command.text);
    if (!ok) return nak(NAK_CODES.UNABLE_TO_PROCESS);
    display.apply(command);
    return ACK;
  }

  /** The colour each LED of `reader` shows, by LED number. */
  ledColors(reader: number): LedColorName[] {
    return (this.#leds[reader] ?? []).map((led) => LED_COLOR_NAMES[led.color]!);
  }

  buzzerOn(reader: number): boolean {
    return this.#buzzers[reader]?.on ?? false;
  }

  /** What the display of `reader` shows; undefined without a display. */
  text(reader: number): string | undefined {
    return this.#displays?.[reader]?.text;
  }

  stop(): void {
    for (const leds of this.#leds) for (const led of leds) led.stop();
    for (const buzzer of this.#buzzers) buzzer.stop();
    for (const display of this.#displays ?? []) display.stop();
  }

  #readerOk(reader: number): boolean {
    return Number.isInteger(reader) && reader >= 0 && reader < this.readers;
  }

  #ledRecordOk(record: LedControl): boolean {
    const colorOk = (c: number) => Number.isInteger(c) && c >= 0 && c < LED_COLOR_NAMES.length;
    const { temporary: t, permanent: p } = record;
    return (
      this.#readerOk(record.reader) &&
      Number.isInteger(record.led) &&
      record.led >= 0 &&
      record.led < this.ledsPerReader &&
      t.controlCode >= 0 &&
      t.controlCode <= 2 &&
      p.controlCode >= 0 &&
      p.controlCode <= 1 &&
      (t.controlCode !== 2 || (colorOk(t.onColor) && colorOk(t.offColor))) &&
      (p.controlCode !== 1 || (colorOk(p.onColor) && colorOk(p.offColor)))
    );
  }
}
