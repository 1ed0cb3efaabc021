import { encodeDelta, MAX_MESSAGE_BYTES } from "@acs/protocol";
import { describe, expect, it } from "vitest";
import { DAY, NOW, openTestStore } from "./support/fixture.js";

describe("a change too big for one message", () => {
  it("travels as consecutive deltas, all but the last partial, each below the limit", () => {
    const { store, cmd } = openTestStore();
    cmd.createSite({ id: "ams-bsl", name: "Amsterdam Barbara Strozzilaan" });
    const hall = cmd.createArea({ siteId: "ams-bsl", name: "Exchange building" }).areaId;
    const company = cmd.upsertCompany({ name: "Fiber Partner A B.V." }).companyId;
    const person = cmd.createPerson({ displayName: "J. de Vries" }).personId;
    const employment = cmd.createEmployment({
      personId: person,
      companyId: company,
      start: NOW - DAY,
    }).employmentId;
    // Years of training: thousands of certificates, all of which travel with the person.
    for (let i = 0; i < 6000; i++) {
      cmd.addCertificate({
        personId: person,
        type: `FIBRE-SAFETY-LEVEL-${String(i).padStart(6, "0")}`,
        validFrom: NOW - DAY,
        validUntil: NOW + 365 * DAY,
      });
    }
    const before = store.site("ams-bsl")?.version ?? 0;
    const { deltas } = cmd.grant(employment, hall);
    expect(deltas.length).toBeGreaterThan(1);
    deltas.forEach((delta, i) => {
      expect(delta.version).toBe(before + 1 + i);
      expect(delta.partial === true).toBe(i < deltas.length - 1);
      expect(encodeDelta(delta).length).toBeLessThan(MAX_MESSAGE_BYTES);
    });
    expect(store.site("ams-bsl")?.version).toBe(before + deltas.length);
    const outbox = store.pendingDeltas(100, "ams-bsl");
    expect(outbox.slice(-deltas.length).map((d) => d.version)).toEqual(
      deltas.map((d) => d.version),
    );
    const certificates = deltas.reduce((n, d) => n + (d.upsert.certificates?.length ?? 0), 0);
    expect(certificates).toBe(6000);
  });
});
