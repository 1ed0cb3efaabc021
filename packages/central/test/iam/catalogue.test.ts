import { afterEach, describe, expect, it } from "vitest";
import { CatalogueService } from "../../src/iam/catalogue/service.js";
import { IamError, IamValidationError } from "../../src/iam/errors.js";
import { actors, type WorkflowFixture, workflowFixture } from "./workflow-support.js";

describe("the catalogue and company profiles", () => {
  let f: WorkflowFixture;
  afterEach(() => f?.close());

  it("creates a physical entry for an area of its site, with the area's certificates", async () => {
    f = await workflowFixture();
    const catalogue = new CatalogueService(f.ctx);
    const entry = await catalogue.create(actors.admin, {
      code: "AMS01-MEETKAMER",
      service: "physical",
      name: "TVA Wholesale - Doors: Amsterdam Centrale, Meetkamer",
      siteId: "ams01",
      areaId: f.certArea,
    });
    expect(entry).toMatchObject({ service: "physical", siteId: "ams01", areaId: f.certArea });
    expect(entry.requiredCertificates).toEqual(["VCA"]);
    await expect(
      catalogue.create(actors.admin, {
        code: "AMS01-MEETKAMER",
        service: "physical",
        name: "again",
        siteId: "ams01",
        areaId: f.area,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", rule: "DUPLICATE_CODE" });
  });

  it("refuses an area of another site and reports every invalid field at once", async () => {
    f = await workflowFixture();
    f.commands.createSite({ id: "rtd01", name: "Rotterdam Waalhaven" });
    const catalogue = new CatalogueService(f.ctx);
    const wrongSite = await catalogue
      .create(actors.admin, {
        code: "RTD01-APP",
        service: "physical",
        name: "Rotterdam",
        siteId: "rtd01",
        areaId: f.area,
      })
      .catch((e: unknown) => e);
    expect(wrongSite).toBeInstanceOf(IamValidationError);
    expect((wrongSite as IamValidationError).problems[0]?.path).toBe("areaId");
    const invalid = (await catalogue
      .create(actors.admin, { code: "x", service: "key", name: "", keyType: "KVD-14", extra: 1 })
      .catch((e: unknown) => e)) as IamValidationError;
    expect(invalid.problems.map((p) => p.path).sort()).toEqual(
      ["(input)", "code", "keyType", "name"].sort(),
    );
  });

  it("installs the keys and apps of the work instruction once, KVD and Z100 needing KVD and TTG", async () => {
    f = await workflowFixture();
    const catalogue = new CatalogueService(f.ctx);
    const first = await catalogue.installStandardCatalogue(actors.admin);
    expect(first.map((e) => e.keyType).filter(Boolean)).toEqual([
      "Z",
      "KVD-ALL",
      ...Array.from({ length: 13 }, (_, i) => `KVD-${String(i + 1).padStart(2, "0")}`),
      "Z100",
      "HS1",
    ]);
    const byKey = new Map(first.map((e) => [e.keyType, e]));
    expect(byKey.get("KVD-07")).toMatchObject({
      requiredCertificates: ["KVD", "TTG"],
      excludesColocation: true,
    });
    expect(byKey.get("Z100")).toMatchObject({
      requiredCertificates: ["KVD", "TTG"],
      excludesColocation: true,
    });
    expect(byKey.get("Z")).toMatchObject({ requiredCertificates: [], excludesColocation: false });
    expect(first.filter((e) => e.service === "application").map((e) => e.code)).toEqual([
      "APP-TOEGANGSAPP-KVD",
      "APP-INFRA-APP",
    ]);
    expect(await catalogue.installStandardCatalogue(actors.admin)).toEqual([]);
    expect((await catalogue.list(actors.manager)).length).toBe(first.length);
  });

  it("keeps profiles per company: admins change them, partners read only their own", async () => {
    f = await workflowFixture();
    const catalogue = new CatalogueService(f.ctx);
    const [z] = await catalogue.installStandardCatalogue(actors.admin);
    if (z === undefined) throw new Error("no entry");
    await expect(catalogue.addToProfile(f.partnerA, f.companyA, z.id)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await catalogue.addToProfile(actors.admin, f.companyA, z.id)).toBe(true);
    expect(await catalogue.addToProfile(actors.admin, f.companyA, z.id)).toBe(false);
    expect((await catalogue.profile(f.partnerA, f.companyA)).map((e) => e.id)).toEqual([z.id]);
    expect((await catalogue.list(f.partnerA)).map((e) => e.id)).toEqual([z.id]);
    expect(await catalogue.list(f.partnerB)).toEqual([]);
    const foreign = await catalogue.profile(f.partnerB, f.companyA).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(IamError);
    expect((foreign as IamError).code).toBe("NOT_FOUND");
    await expect(catalogue.get(f.partnerB, z.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await catalogue.removeFromProfile(actors.admin, f.companyA, z.id)).toBe(true);
    expect(await catalogue.profile(actors.manager, f.companyA)).toEqual([]);
    const audit = await f.ctx.db
      .selectFrom("iam_audit")
      .select("action")
      .where("entity", "=", "profile")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["profile.entry-added", "profile.entry-removed"]);
  });
});
