import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { fixedClock } from "../src/index.js";
import { NOW, tempDir } from "./support/fixture.js";

describe("central admin create", () => {
  it("creates the first wholesale administrator once, printing its invitation token", async () => {
    const db = join(tempDir(), "central.db");
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await main(["--db", db, ...args], (l) => out.push(l), {
        clock: fixedClock(NOW),
        err: (l) => out.push(l),
      });
      return { code, out: out.join("\n") };
    };
    const admin = ["--email", "beheer@wholesale.example.nl", "--mobile", "+31612345678"];
    const first = await run("admin", "create", "--username", "beheerder", ...admin);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/wholesale administrator beheerder created/);
    expect(first.out).toMatch(/invitation token \(single use; set the password with it\): \S{20,}/);

    const again = await run("admin", "create", "--username", "tweede", ...admin);
    expect(again).toMatchObject({ code: 1 });
    expect(again.out).toContain("refused (ADMIN_EXISTS)");

    const invalid = await run(
      "admin",
      "create",
      "--username",
      "x",
      "--email",
      "no",
      "--mobile",
      "06",
    );
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain("refused (ADMIN_EXISTS)");
  });

  it("reports every invalid field of the first administrator", async () => {
    const db = join(tempDir(), "central.db");
    const out: string[] = [];
    const code = await main(
      ["--db", db, "admin", "create", "--username", "x", "--email", "no", "--mobile", "06"],
      (l) => out.push(l),
      { clock: fixedClock(NOW), err: (l) => out.push(l) },
    );
    expect(code).toBe(1);
    expect(out.join("\n")).toMatch(/invalid username/);
    expect(out.join("\n")).toMatch(/invalid email/);
    expect(out.join("\n")).toMatch(/invalid mobile/);
  });
});
