import { describe, expect, it } from "vitest";
import { parsePeriod, periodOf } from "../../src/iam/reviews/period.js";

describe("review periods", () => {
  it("names periods of any length and parses only labels of the configured length", () => {
    expect(periodOf("2026-03-02", 3)).toEqual({
      label: "2026-Q1",
      start: "2026-01-01",
      next: "2026-04-01",
    });
    expect(periodOf("2026-12-31", 3).next).toBe("2027-01-01");
    expect(periodOf("2026-08-10", 6).label).toBe("2026-H2");
    expect(periodOf("2026-08-10", 1).label).toBe("2026-08");
    expect(periodOf("2026-08-10", 12)).toEqual({
      label: "2026",
      start: "2026-01-01",
      next: "2027-01-01",
    });
    expect(periodOf("2026-08-10", 4).label).toBe("2026-P2");
    expect(parsePeriod("2026-Q4", 3)?.start).toBe("2026-10-01");
    expect(parsePeriod("2026-Q5", 3)).toBeUndefined();
    expect(parsePeriod("2026-H1", 3)).toBeUndefined();
    expect(parsePeriod("2026-02", 1)?.next).toBe("2026-03-01");
  });
});
