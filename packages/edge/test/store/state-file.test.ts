import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  importStateFile,
  parseStateFile,
  StateFileError,
  StoreError,
} from "../../src/store/index.js";
import { NOW, open, tempDbPath, tempDir } from "./fixtures.js";

const DOC = readFileSync(new URL("../../../../docs/state-file.md", import.meta.url), "utf8");

/** The first fenced block of `lang` after the heading `## title` of docs/state-file.md. */
function docBlock(title: string, lang: string): string {
  const section = DOC.slice(DOC.indexOf(`\n## ${title}\n`));
  const start = section.indexOf(`\`\`\`${lang}\n`) + lang.length + 4;
  return section.slice(start, section.indexOf("\n```", start));
}

const EXAMPLE = docBlock("Example", "json");

type Json = Record<string, unknown>;

/** The example's shape, loosely: every record a plain object to break on purpose. */
interface ExampleFile {
  [key: string]: unknown;
  sitePolicy: Json;
  doorPolicies: Json[];
  persons: Json[];
  cards: Json[];
  employments: Json[];
  areas: Json[];
  authorizations: Json[];
  schedules: Json[];
  holidayCalendars: Json[];
  certificates: Json[];
}

/** The documented example as a mutable object. */
function example(): ExampleFile {
  return JSON.parse(EXAMPLE) as ExampleFile;
}

function problemsOf(text: string): StateFileError {
  try {
    parseStateFile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(StateFileError);
    return error as StateFileError;
  }
  throw new Error("expected a StateFileError");
}

const at = (iso: string): number => Date.parse(iso);

describe("state file", () => {
  it("parses the documented example into the model", () => {
    const state = parseStateFile(EXAMPLE);
    expect(state.site).toBe("ams-bsl");
    expect(state.version).toBe(42);
    expect(state.sitePolicy).toEqual({ fingerprintRequired: true, fingerprintThreshold: 60 });
    expect(state.doorPolicies[0]).toEqual({
      doorId: "main-entrance",
      mode: "card-and-fingerprint",
      unlockScheduleId: null,
    });
    expect(state.cards).toHaveLength(3);
    expect(state.cards[0]).toEqual({
      id: 5001,
      personId: 1001,
      format: "H10301",
      facility: 18,
      number: 12345,
      rawBits: null,
      status: "active",
      statusReason: null,
      activatedAt: at("2025-03-03T08:30:00Z"),
      validFrom: null,
      validUntil: at("2030-03-02T23:00:00Z"),
    });
    expect(state.cards[1]).toMatchObject({ status: "lost", activatedAt: 1704096000000 });
    expect(state.cards[2]).toMatchObject({ format: "H10302", facility: null, number: 12345678901 });
    expect(state.employments[1]).toEqual({
      id: 2002,
      personId: 1002,
      companyId: 77,
      start: at("2023-04-30T22:00:00Z"),
      end: at("2026-01-30T23:00:00Z"),
    });
    expect(state.areas).toEqual([
      { id: 301, name: "Exchange building", requiredCertificates: [] },
      { id: 302, name: "Cable distribution room", requiredCertificates: ["KVD"] },
    ]);
    expect(state.schedules[0]).toEqual({
      id: 601,
      name: "Night shift",
      windows: [{ days: [1, 2, 3, 4, 5], from: "22:00", until: "06:00" }],
      holidayCalendarId: 701,
      holidayWindows: [{ days: [], from: "23:00", until: "04:00" }],
    });
    expect(state.schedules[1]).toMatchObject({ holidayCalendarId: null, holidayWindows: [] });
    expect(state.holidayCalendars[0]?.dates).toHaveLength(10);
  });

  it("imports the documented example into a store, keeping enrollments", () => {
    const path = join(tempDir(), "state.json");
    writeFileSync(path, EXAMPLE);
    const store = open(tempDbPath());
    const template = new Uint8Array([7, 7, 7]);
    store.saveEnrollment({
      personId: 1001,
      cardId: 5001,
      enrolledAt: NOW,
      sealedTemplate: template,
    });
    const result = importStateFile(store, path, { expectedSite: "ams-bsl", now: NOW });
    expect(result).toMatchObject({ version: 42, totalRows: 21 });
    expect(store.stateVersion()).toBe(42);
    expect(store.state.getCardByCredential("H10302", null, 12345678901)?.personId).toBe(1002);
    expect(store.state.getCardByCredential("H10301", 18, 23456)?.status).toBe("lost");
    expect(store.state.employmentsOfPerson(1002).map((e) => e.id)).toEqual([2002, 2003]);
    expect(store.state.authorizationsOfEmployment(2001).map((a) => a.areaId)).toEqual([301, 302]);
    expect(store.state.getArea(302)?.requiredCertificates).toEqual(["KVD"]);
    expect(store.state.certificatesOfPerson(1001)[0]?.type).toBe("KVD");
    expect(store.state.getHolidayCalendar(701)?.dates).toContain("2026-12-25");
    expect(store.state.doorPolicies().map((d) => d.doorId)).toEqual([
      "cable-room",
      "main-entrance",
      "reception",
    ]);
    expect(store.enrollment(1001, 5001)?.sealedTemplate).toEqual(template);

    // The same file again: not newer than what the store holds.
    expect(() => importStateFile(store, path, { expectedSite: "ams-bsl", now: NOW })).toThrow(
      expect.objectContaining({ code: "VERSION_NOT_NEWER" }),
    );
    expect(() => importStateFile(store, path, { expectedSite: "rtd-wh", now: NOW })).toThrow(
      expect.objectContaining({ code: "SITE_MISMATCH" }),
    );
  });

  it("reports every problem of a broken file with its path", () => {
    const file = example();
    file.version = 0;
    file.extra = true;
    file.sitePolicy.fingerprintThreshold = 101;
    const [card0, card1, card2] = file.cards as [Json, Json, Json];
    card0.status = "misplaced";
    card1.validUntil = "2026-03-01T00:00:00"; // no offset
    card1.validFrom = "soon";
    delete card2.number;
    (file.persons[0] as Json).colour = "blue";
    delete (file.employments[0] as Json).start;
    (file.employments[1] as Json).end = "2020-01-01T00:00:00Z"; // before its start
    (file.doorPolicies[0] as Json).mode = "open";
    const window = ((file.schedules[0] as Json).windows as Json[])[0] as Json;
    window.from = "25:00";
    window.days = [0, 8];
    ((file.holidayCalendars[0] as Json).dates as string[])[1] = "2026-02-30";
    const error = problemsOf(JSON.stringify(file, null, 2));
    expect(error.code).toBe("INVALID_STATE_FILE");
    expect(error).toBeInstanceOf(StoreError);
    const paths = error.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "version",
        "extra",
        "sitePolicy.fingerprintThreshold",
        "doorPolicies[0].mode",
        "persons[0].colour",
        "cards[0].status",
        "cards[1].validFrom",
        "cards[1].validUntil",
        "cards[2].number",
        "employments[0].start",
        "employments[1].end",
        "schedules[0].windows[0].days[0]",
        "schedules[0].windows[0].days[1]",
        "schedules[0].windows[0].from",
        "holidayCalendars[0].dates[1]",
      ]),
    );
    const message = (path: string) => error.problems.find((p) => p.path === path)?.message;
    expect(message("persons[0].colour")).toBe("unknown field");
    expect(message("employments[0].start")).toBe("required");
    expect(message("cards[1].validUntil")).toMatch(/ISO-8601 date-time with offset/);
    expect(message("employments[1].end")).toMatch(/before the start/);
    for (const path of paths) expect(error.message).toContain(`  ${path}: `);
  });

  it("reports duplicate ids and references to records not in the file", () => {
    const file = example();
    (file.cards[1] as Json).id = 5001;
    (file.cards[2] as Json).personId = 1009;
    (file.employments[0] as Json).personId = 1010;
    const auth = file.authorizations[1] as Json;
    auth.employmentId = 2999;
    auth.areaId = 399;
    auth.scheduleId = 699;
    (file.certificates[0] as Json).personId = 1011;
    (file.schedules[0] as Json).holidayCalendarId = 799;
    (file.doorPolicies[1] as Json).unlockScheduleId = 698;
    (file.doorPolicies[2] as Json).doorId = "main-entrance";
    (file.persons[1] as Json).colour = "red"; // schema problems are reported alongside
    const error = problemsOf(JSON.stringify(file));
    expect(error.problems).toEqual([
      { path: "persons[1].colour", message: "unknown field" },
      { path: "cards[1].id", message: "duplicate id 5001, also at cards[0]" },
      {
        path: "doorPolicies[2].doorId",
        message: 'duplicate doorId "main-entrance", also at doorPolicies[0]',
      },
      { path: "cards[2].personId", message: "no person with id 1009 in persons" },
      { path: "employments[0].personId", message: "no person with id 1010 in persons" },
      {
        path: "authorizations[1].employmentId",
        message: "no employment with id 2999 in employments",
      },
      { path: "authorizations[1].areaId", message: "no area with id 399 in areas" },
      { path: "authorizations[1].scheduleId", message: "no schedule with id 699 in schedules" },
      { path: "certificates[0].personId", message: "no person with id 1011 in persons" },
      {
        path: "schedules[0].holidayCalendarId",
        message: "no holiday calendar with id 799 in holidayCalendars",
      },
      { path: "doorPolicies[1].unlockScheduleId", message: "no schedule with id 698 in schedules" },
    ]);
  });

  it("reports missing lists and a file that is not an object", () => {
    const file = example();
    delete (file as Json).certificates;
    (file as Json).cards = {};
    const error = problemsOf(JSON.stringify(file));
    expect(error.problems).toEqual([
      { path: "cards", message: expect.stringMatching(/expected array/) },
      { path: "certificates", message: "required" },
    ]);
    expect(problemsOf("[]").problems).toEqual([
      { path: "", message: expect.stringMatching(/expected object/) },
    ]);
  });

  it("reports malformed JSON with its position", () => {
    const broken = EXAMPLE.replace('"number": 12345,', '"number": 12345,,');
    const line = EXAMPLE.slice(0, EXAMPLE.indexOf('"number": 12345,')).split("\n").length;
    const error = problemsOf(broken);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe("");
    expect(error.problems[0]?.message).toMatch(
      new RegExp(`^malformed JSON at line ${line}, column 23 \\(offset \\d+\\): `),
    );
    expect(problemsOf('{"site": "a"').problems[0]?.message).toMatch(
      /^malformed JSON at line 1, column 13 \(offset 12\)/,
    );
    expect(problemsOf("").problems[0]?.message).toMatch(/^malformed JSON at line 1, column 1 /);
    expect(problemsOf("{}\n{}").problems[0]?.message).toMatch(/line 2, column 1 /);
  });

  it("gives the error output shown in the docs", () => {
    const file = example();
    (file.persons[0] as Json).colour = "blue";
    (file.cards[0] as Json).status = "misplaced";
    (file.cards[1] as Json).id = 5001;
    (file.cards[1] as Json).validUntil = "2026-03-01";
    const window = ((file.schedules[0] as Json).windows as Json[])[0] as Json;
    window.from = "22:60";
    (file.authorizations[0] as Json).areaId = 999;
    expect(problemsOf(JSON.stringify(file)).message).toBe(docBlock("Errors", ""));
  });
});
