/** Where in a text a JSON syntax error is: 0-based offset, 1-based line and column. */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Finds the offset of the first JSON syntax error in `text` (RFC 8259), or returns
 * undefined when the text is valid JSON. V8's own messages carry a position for some
 * errors only, so a state file's problem is located here instead. Iterative: any nesting
 * depth is fine.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  return scanner.run() ? undefined : scanner.at;
}

class Scanner {
  at = 0;
  private readonly text: string;
  /** Closing brackets of the open containers, innermost last. */
  private readonly open: string[] = [];

  constructor(text: string) {
    this.text = text;
  }

  run(): boolean {
    const { text } = this;
    this.ws();
    for (;;) {
      const read = this.value();
      if (read === false) return false;
      if (read === "opened") continue; // its first member comes next
      // After a value: close containers, or a comma and the next member.
      for (;;) {
        this.ws();
        const closer = this.open.at(-1);
        if (closer === undefined) return this.at === text.length;
        if (text[this.at] === closer) {
          this.open.pop();
          this.at++;
          continue;
        }
        if (text[this.at] !== ",") return false;
        this.at++;
        this.ws();
        if (closer === "}" && !this.key()) return false;
        break;
      }
    }
  }

  /** One value; a non-empty container is only opened (with its first member's key read). */
  private value(): boolean | "opened" {
    const ch = this.text[this.at];
    if (ch === "{" || ch === "[") {
      const closer = ch === "{" ? "}" : "]";
      this.at++;
      this.ws();
      if (this.text[this.at] === closer) {
        this.at++;
        return true;
      }
      this.open.push(closer);
      return closer === "]" || this.key() ? "opened" : false;
    }
    if (ch === '"') return this.string();
    if (ch === "t") return this.literal("true");
    if (ch === "f") return this.literal("false");
    if (ch === "n") return this.literal("null");
    return this.number();
  }

  /** `"name"` `:` of an object member, with the white space around. */
  private key(): boolean {
    if (this.text[this.at] !== '"' || !this.string()) return false;
    this.ws();
    if (this.text[this.at] !== ":") return false;
    this.at++;
    this.ws();
    return true;
  }

  private ws(): void {
    while (this.at < this.text.length && " \t\n\r".includes(this.text[this.at] as string)) {
      this.at++;
    }
  }

  private literal(word: string): boolean {
    for (const ch of word) {
      if (this.text[this.at] !== ch) return false;
      this.at++;
    }
    return true;
  }

  private string(): boolean {
    const { text } = this;
    this.at++; // opening quote
    while (this.at < text.length) {
      const ch = text.charCodeAt(this.at);
      if (ch === 0x22) {
        this.at++;
        return true;
      }
      if (ch < 0x20) return false;
      if (ch === 0x5c) {
        this.at++; // an error in an escape is at the character after the backslash
        const esc = text[this.at];
        if (esc === "u") {
          for (let i = 0; i < 4; i++) {
            this.at++;
            if (!/[0-9a-fA-F]/.test(text[this.at] ?? "")) return false;
          }
          this.at++;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) this.at++;
        else return false;
      } else this.at++;
    }
    return false;
  }

  private number(): boolean {
    if (this.text[this.at] === "-") this.at++;
    if (this.text[this.at] === "0") this.at++;
    else if (!this.digits()) return false;
    if (this.text[this.at] === ".") {
      this.at++;
      if (!this.digits()) return false;
    }
    if (this.text[this.at] === "e" || this.text[this.at] === "E") {
      this.at++;
      if (this.text[this.at] === "+" || this.text[this.at] === "-") this.at++;
      if (!this.digits()) return false;
    }
    return true;
  }

  /** One or more digits. */
  private digits(): boolean {
    const start = this.at;
    while (this.at < this.text.length && /[0-9]/.test(this.text[this.at] as string)) this.at++;
    return this.at > start;
  }
}

/** Line and column (1-based) of a 0-based offset. */
export function textPosition(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
