import { describe, expect, it } from "vitest";
import type { FingerprintEnrollment } from "../../src/state/model.js";
import { open, tempDbPath } from "./fixtures.js";

function enrollment(
  personId: number,
  cardId: number,
  at: number,
  bytes: number[],
): FingerprintEnrollment {
  return { personId, cardId, enrolledAt: at, sealedTemplate: new Uint8Array(bytes) };
}

describe("fingerprint enrollments", () => {
  it("saves, replaces, lists and deletes per person and card", () => {
    const store = open(tempDbPath());
    expect(store.enrollment(1, 10)).toBeUndefined();
    store.saveEnrollment(enrollment(1, 10, 100, [1, 2, 3]));
    store.saveEnrollment(enrollment(1, 11, 200, [4, 5]));
    store.saveEnrollment(enrollment(2, 12, 150, [6]));
    store.saveEnrollment(enrollment(1, 10, 300, [9, 9, 9, 9])); // re-enrolled: replaces

    const replaced = store.enrollment(1, 10);
    expect(replaced).toEqual(enrollment(1, 10, 300, [9, 9, 9, 9]));
    expect(replaced?.sealedTemplate).toBeInstanceOf(Uint8Array);
    expect(store.enrollmentsOfPerson(1).map((e) => e.cardId)).toEqual([11, 10]);

    expect(store.deleteEnrollment(1, 10)).toBe(true);
    expect(store.deleteEnrollment(1, 10)).toBe(false);
    expect(store.enrollmentsOfPerson(1)).toEqual([enrollment(1, 11, 200, [4, 5])]);
    expect(store.enrollment(2, 12)).toEqual(enrollment(2, 12, 150, [6]));
  });

  it("stores a template given as a view into a larger buffer exactly", () => {
    const store = open(tempDbPath());
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
    store.saveEnrollment({
      personId: 1,
      cardId: 1,
      enrolledAt: 1,
      sealedTemplate: backing.subarray(2, 5),
    });
    expect(Array.from(store.enrollment(1, 1)?.sealedTemplate ?? [])).toEqual([2, 3, 4]);
  });
});
