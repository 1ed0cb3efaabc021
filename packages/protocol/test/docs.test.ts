import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOPIC_KINDS, TOPIC_ROOT, TOPIC_SPEC } from "../src/index.js";

const doc = readFileSync(new URL("../docs/topics.md", import.meta.url), "utf8");

describe("docs/topics.md", () => {
  it("its table says what TOPIC_SPEC says", () => {
    const rows = doc
      .split("\n")
      .filter((line) => /^\| `[a-zA-Z]+` /.test(line))
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim().replace(/`/g, "")),
      );
    expect(rows.map((r) => r[0])).toEqual([...TOPIC_KINDS]);
    for (const [kind, topic, payload, signed, qos, retained, direction] of rows) {
      const spec = TOPIC_SPEC[kind as keyof typeof TOPIC_SPEC];
      expect(topic).toBe(`${TOPIC_ROOT}/sites/{site}/${spec.suffix}`);
      expect(payload).toBe(spec.payload);
      expect(signed).toBe(spec.envelope ?? "-");
      expect(Number(qos)).toBe(spec.qos);
      expect(retained).toBe(spec.retained ? "yes" : "no");
      expect(direction).toBe(spec.direction);
    }
  });
});
