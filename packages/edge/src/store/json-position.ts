/** Where in a text a JSON syntax error is: 0-based offset, 1-based line and column. */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

const MAX_DEPTH = 10_000;

/**
 * Finds the offset of the first JSON syntax error in `text` (RFC 8259), or returns
 * undefined when the text is valid JSON. V8's own messages carry a position for some
 * errors only, so a state file's problem is located here instead.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const ws = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at] as string)) at++;
  };
  const literal = (word: string): boolean => {
    for (const ch of word) {
      if (text[at] !== ch) return false;
      at++;
    }
    return true;
  };
  const string = (): boolean => {
    at++; // opening quote
    while (at < text.length) {
      const ch = text.charCodeAt(at);
      if (ch === 0x22) {
        at++;
        return true;
      }
      if (ch < 0x20) return false;
      if (ch === 0x5c) {
        at++;
        const esc = text[at];
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) return false;
          at += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) at++;
        else return false;
      } else at++;
    }
    return false;
  };
  const number = (): boolean => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (match === null) return false;
    at += match[0].length;
    return true;
  };
  const sequence = (close: string, member: (depth: number) => boolean, depth: number): boolean => {
    at++; // opening bracket
    ws();
    if (text[at] === close) {
      at++;
      return true;
    }
    for (;;) {
      if (!member(depth)) return false;
      ws();
      if (text[at] === close) {
        at++;
        return true;
      }
      if (text[at] !== ",") return false;
      at++;
      ws();
    }
  };
  const value = (depth: number): boolean => {
    if (depth > MAX_DEPTH) return false;
    const ch = text[at];
    if (ch === "{") {
      return sequence(
        "}",
        (d) => {
          if (text[at] !== '"' || !string()) return false;
          ws();
          if (text[at] !== ":") return false;
          at++;
          ws();
          return value(d + 1);
        },
        depth,
      );
    }
    if (ch === "[") return sequence("]", (d) => value(d + 1), depth);
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    return number();
  };
  ws();
  if (!value(0)) return Math.min(at, text.length);
  ws();
  return at < text.length ? at : undefined;
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
