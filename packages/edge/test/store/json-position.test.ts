import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonErrorOffset, textPosition } from "../../src/store/json-position.js";

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Valid JSON with one character inserted, deleted or replaced somewhere. */
const mutatedJson = fc
  .tuple(
    fc.json(),
    fc.nat(),
    fc.constantFrom("insert", "delete", "replace"),
    fc.constantFrom(...'{}[],:"\\ 0-.eEtfnu1x\n'),
  )
  .map(([json, n, op, ch]) => {
    const i = json.length === 0 ? 0 : n % json.length;
    if (op === "insert") return json.slice(0, i) + ch + json.slice(i);
    if (op === "delete") return json.slice(0, i) + json.slice(i + 1);
    return json.slice(0, i) + ch + json.slice(i + 1);
  });

describe("jsonErrorOffset", () => {
  it("finds no error in valid JSON", () => {
    for (const text of ['{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', " 0 ", '""', "[]", "{}"]) {
      expect(jsonErrorOffset(text), text).toBeUndefined();
    }
  });

  it("points at the first character that cannot continue the text", () => {
    expect(jsonErrorOffset('{"a": 1,, "b": 2}')).toBe(8);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset("[1, 2")).toBe(5);
    expect(jsonErrorOffset("")).toBe(0);
    expect(jsonErrorOffset("01")).toBe(1);
    expect(jsonErrorOffset('"a\nb"')).toBe(2);
    expect(jsonErrorOffset("{} x")).toBe(3);
    expect(jsonErrorOffset(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)).toBeUndefined();
    expect(jsonErrorOffset("[".repeat(100_000))).toBe(100_000);
  });

  it("agrees with JSON.parse on valid and broken texts", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutatedJson, fc.string()), (text) => {
        expect(jsonErrorOffset(text) === undefined).toBe(parses(text));
        const offset = jsonErrorOffset(text);
        if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with V8 on the position where V8 gives one", () => {
    fc.assert(
      fc.property(mutatedJson, (text) => {
        try {
          JSON.parse(text);
        } catch (error) {
          const v8 = /at position (\d+)/.exec((error as Error).message);
          if (v8 !== null) expect(jsonErrorOffset(text)).toBe(Number(v8[1]));
        }
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("textPosition", () => {
  it("counts lines and columns from 1", () => {
    expect(textPosition("ab\ncd\n", 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(textPosition("ab\ncd\n", 4)).toEqual({ offset: 4, line: 2, column: 2 });
    expect(textPosition("ab\ncd\n", 6)).toEqual({ offset: 6, line: 3, column: 1 });
  });
});
