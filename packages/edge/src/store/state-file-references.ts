import type { StateFileProblem } from "./errors.js";

type ListKey =
  | "persons"
  | "cards"
  | "employments"
  | "areas"
  | "authorizations"
  | "schedules"
  | "holidayCalendars"
  | "certificates"
  | "doorPolicies";

interface Reference {
  readonly from: ListKey;
  readonly field: string;
  readonly to: ListKey;
  /** How the target is named in a message. */
  readonly noun: string;
}

/** Every id that must point to a record of the same file. */
const REFERENCES: readonly Reference[] = [
  { from: "cards", field: "personId", to: "persons", noun: "person" },
  { from: "employments", field: "personId", to: "persons", noun: "person" },
  { from: "authorizations", field: "employmentId", to: "employments", noun: "employment" },
  { from: "authorizations", field: "areaId", to: "areas", noun: "area" },
  { from: "authorizations", field: "scheduleId", to: "schedules", noun: "schedule" },
  { from: "certificates", field: "personId", to: "persons", noun: "person" },
  {
    from: "schedules",
    field: "holidayCalendarId",
    to: "holidayCalendars",
    noun: "holiday calendar",
  },
  { from: "doorPolicies", field: "unlockScheduleId", to: "schedules", noun: "schedule" },
];

const KEYED: ReadonlyArray<readonly [ListKey, string]> = [
  ["persons", "id"],
  ["cards", "id"],
  ["employments", "id"],
  ["areas", "id"],
  ["authorizations", "id"],
  ["schedules", "id"],
  ["holidayCalendars", "id"],
  ["certificates", "id"],
  ["doorPolicies", "doorId"],
];

type Item = Readonly<Record<string, unknown>>;

function items(file: Item, key: ListKey): Array<[number, Item]> {
  const list = file[key];
  if (!Array.isArray(list)) return [];
  const out: Array<[number, Item]> = [];
  list.forEach((entry: unknown, i) => {
    if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
      out.push([i, entry as Item]);
    }
  });
  return out;
}

/**
 * Duplicate keys and references to records that are not in the file. Works on the raw
 * JSON, as far as it is well-formed, so these problems are reported together with the
 * schema's; a field of the wrong type is left to the schema.
 */
export function referenceProblems(json: unknown): StateFileProblem[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return [];
  const file = json as Item;
  const problems: StateFileProblem[] = [];
  const keys = new Map<ListKey, Set<unknown>>();
  for (const [list, field] of KEYED) {
    const firstAt = new Map<unknown, number>();
    const entries = items(file, list);
    let complete = Array.isArray(file[list]) && entries.length === (file[list] as unknown[]).length;
    for (const [i, item] of entries) {
      const key = item[field];
      if (typeof key !== "number" && typeof key !== "string") {
        complete = false;
        continue;
      }
      const first = firstAt.get(key);
      if (first === undefined) firstAt.set(key, i);
      else {
        problems.push({
          path: `${list}[${i}].${field}`,
          message: `duplicate ${field} ${JSON.stringify(key)}, also at ${list}[${first}]`,
        });
      }
    }
    // A list with a record whose key is broken (reported by the schema) proves no absence.
    if (complete) keys.set(list, new Set(firstAt.keys()));
  }
  for (const ref of REFERENCES) {
    const targets = keys.get(ref.to);
    if (targets === undefined) continue;
    for (const [i, item] of items(file, ref.from)) {
      const target = item[ref.field];
      if (typeof target === "number" && !targets.has(target)) {
        problems.push({
          path: `${ref.from}[${i}].${ref.field}`,
          message: `no ${ref.noun} with id ${target} in ${ref.to}`,
        });
      }
    }
  }
  return problems;
}
