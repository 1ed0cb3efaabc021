import { readFileSync } from "node:fs";
import type { z } from "zod";
import type { SiteState } from "../state/model.js";
import { StateFileError, type StateFileProblem } from "./errors.js";
import type { ApplyOptions, FullApplyResult } from "./full-state-writer.js";
import { jsonErrorOffset, textPosition } from "./json-position.js";
import { referenceProblems } from "./state-file-references.js";
import { stateFileSchema } from "./state-file-schema.js";
import type { Store } from "./store.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `cards[12].status` from ["cards", 12, "status"]. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else {
      const key = String(segment);
      if (IDENTIFIER.test(key)) path += path === "" ? key : `.${key}`;
      else path += `[${JSON.stringify(key)}]`;
    }
  }
  return path;
}

function schemaProblems(issues: readonly z.core.$ZodIssue[]): StateFileProblem[] {
  const problems: StateFileProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ path: jsonPath([...issue.path, key]), message: "unknown field" });
      }
    } else {
      problems.push({ path: jsonPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

function malformed(text: string, error: unknown): StateFileProblem {
  const offset = jsonErrorOffset(text) ?? text.length;
  const { line, column } = textPosition(text, offset);
  const detail = error instanceof Error ? `: ${error.message}` : "";
  return {
    path: "",
    message: `malformed JSON at line ${line}, column ${column} (offset ${offset})${detail}`,
  };
}

/**
 * Parses a state file (docs/state-file.md) into a SiteState. Throws one StateFileError
 * listing every problem with its JSON path: schema errors, duplicate ids, references to
 * records not in the file, or malformed JSON with its position.
 */
export function parseStateFile(text: string): SiteState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateFileError([malformed(text, error)]);
  }
  const result = stateFileSchema.safeParse(json, {
    error: (issue) =>
      issue.input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union")
        ? "required"
        : undefined,
  });
  const problems = [
    ...(result.success ? [] : schemaProblems(result.error.issues)),
    ...referenceProblems(json),
  ];
  if (problems.length > 0 || !result.success) throw new StateFileError(problems);
  return result.data;
}

/** Reads, parses and applies a state file as a full state (`accessctl import FILE`). */
export function importStateFile(
  store: Store,
  path: string,
  options: ApplyOptions,
): FullApplyResult {
  const state = parseStateFile(readFileSync(path, "utf8"));
  return store.applyFullState(state, options);
}
