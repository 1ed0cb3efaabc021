import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import type { SiteDelta, SiteState } from "@acs/protocol";
import { type Clock, systemClock } from "../clock.js";
import { deltaCounts } from "../compiler/deltas.js";
import { compileSnapshotDetailed, publishedCounts, siteCounts } from "../compiler/site-state.js";
import { CentralError } from "../errors.js";
import { CentralCommands } from "../state/commands.js";
import { type Dataset, loadDataset } from "../state/dataset.js";
import { SCHEMA_VERSION } from "../state/migrations.js";
import { RECORD_KINDS } from "../state/records.js";
import { CARD_STATUS_VALUES } from "../state/schemas.js";
import { type CentralStore, openCentralStore } from "../state/store.js";
import { DEFAULT_HTTP, type HttpListenOptions, keygen, sendCommand, serve } from "./serve.js";

type Out = (line: string) => void;
type Values = ReturnType<typeof parse>["values"];

interface Context {
  readonly store: CentralStore;
  readonly commands: CentralCommands;
  readonly values: Values;
  /** The words after the command's own (e.g. for `site add ID`: ["ID"]). */
  readonly args: readonly string[];
  readonly out: Out;
}

interface Command {
  readonly usage: string;
  run(ctx: Context): number | Promise<number>;
}

class UsageError extends Error {}

const OPTIONS = {
  db: { type: "string" },
  name: { type: "string" },
  timezone: { type: "string" },
  fingerprint: { type: "boolean" },
  "no-fingerprint": { type: "boolean" },
  threshold: { type: "string" },
  employment: { type: "string" },
  area: { type: "string" },
  schedule: { type: "string" },
  from: { type: "string" },
  until: { type: "string" },
  authorization: { type: "string" },
  at: { type: "string" },
  card: { type: "string" },
  status: { type: "string" },
  reason: { type: "string" },
  site: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  limit: { type: "string" },
  help: { type: "boolean", short: "h" },
  mqtt: { type: "string" },
  key: { type: "string" },
  "key-id": { type: "string" },
  "public-key": { type: "string" },
  "events-db": { type: "string" },
  door: { type: "string" },
  mode: { type: "string" },
  ttl: { type: "string" },
  notifications: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/**
 * The subcommands, by their words (`serve`, `keygen` and `command` are in serviceCommand).
 */
const COMMANDS: Record<string, Command> = {
  init: { usage: "init", run: init },
  load: { usage: "load FILE.json", run: load },
  "site add": {
    usage: "site add ID --name NAME [--timezone TZ] [--fingerprint] [--threshold 0..100]",
    run: siteAdd,
  },
  "site policy": {
    usage: "site policy ID [--fingerprint | --no-fingerprint] [--threshold 0..100]",
    run: sitePolicy,
  },
  grant: {
    usage: "grant --employment ID --area ID [--from ISO] [--until ISO] [--schedule ID]",
    run: grant,
  },
  revoke: { usage: "revoke --authorization ID", run: revoke },
  "end-employment": { usage: "end-employment --employment ID [--at ISO]", run: endEmployment },
  "card-status": {
    usage: `card-status --card ID --status ${CARD_STATUS_VALUES.join("|")} [--reason TEXT]`,
    run: cardStatus,
  },
  "show site": { usage: "show site ID", run: showSite },
  deltas: { usage: "deltas --site ID [--limit N] [--json]", run: deltas },
  snapshot: {
    usage: "snapshot --site ID [--out FILE]  (recorded as sent: the site's state file)",
    run: snapshot,
  },
};

const USAGE = `usage: central --db FILE COMMAND
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join("\n")}
  serve [--port N] [--host HOST] [--notifications console|FILE]
        [--mqtt URL --key PRIVATE.pem [--key-id ID] [--events-db FILE]]
        the HTTP API (PORT for --port; 127.0.0.1:8080 by default) and, with --mqtt and
        --key, the sync service: deltas and snapshots out, edge events in (MQTT_URL for --mqtt)
usage: central keygen --key PRIVATE.pem --public-key PUBLIC.pem [--key-id ID]
usage: central command remote-open|lockdown|door-mode --mqtt URL --key PRIVATE.pem --site ID
        [--door ID] [--mode on|off|MODE] [--reason TEXT] [--ttl SECONDS]
Instants are ISO-8601 with an offset (2026-03-01T00:00:00+01:00) or epoch ms.`;

export interface MainOptions {
  readonly clock?: Clock;
  readonly err?: Out;
}

/** The CLI over one store file; returns the exit code (0 ok, 1 refused, 2 usage). */
export async function main(
  argv: string[],
  out: Out = (line) => process.stdout.write(`${line}\n`),
  options: MainOptions = {},
): Promise<number> {
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let store: CentralStore | undefined;
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      out(USAGE);
      return 0;
    }
    const service = await serviceCommand(positionals, values, out);
    if (service !== undefined) return service;
    const two = positionals.slice(0, 2).join(" ");
    const [name, command] =
      COMMANDS[two] !== undefined
        ? [two, COMMANDS[two]]
        : [positionals[0] ?? "", COMMANDS[positionals[0] ?? ""]];
    if (command === undefined) {
      throw new UsageError(
        positionals.length === 0
          ? "a command is needed"
          : `unknown command "${positionals.join(" ")}"`,
      );
    }
    if (!values.db) throw new UsageError("--db FILE is needed");
    const args = positionals.slice(name.split(" ").length);
    store = openCentralStore(values.db, { clock: options.clock ?? systemClock });
    const commands = new CentralCommands(store);
    return await command.run({ store, commands, values, args, out });
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      err(`central: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof CentralError) {
      err(`central: refused (${error.code}): ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    store?.close();
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof TypeError && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")
  );
}

// --- argument helpers ---

function need(value: string | undefined, option: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${option} is needed`);
  return value;
}

function idOf(value: string | undefined, option: string): number {
  const text = need(value, option);
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`--${option} must be an id (an integer >= 1), got "${text}"`);
  }
  return id;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function instantOf(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^-?\d+$/.test(value)) return Number(value);
  if (ISO.test(value)) return Date.parse(value);
  throw new UsageError(
    `--${option} must be ISO-8601 with an offset (2026-03-01T00:00:00+01:00) or epoch ms`,
  );
}

function thresholdOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 100) throw new UsageError("--threshold must be 0..100");
  return n;
}

const iso = (ms: number | null): string => (ms === null ? "-" : new Date(ms).toISOString());

function counts(c: Partial<Record<string, number>>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n !== undefined && n > 0)
    .map(([k, n]) => `${k}=${n}`);
  return parts.length === 0 ? "-" : parts.join(" ");
}

/** One line per delta: site, version and what it upserts and deletes. */
export function describeDelta(delta: SiteDelta): string {
  const c = deltaCounts(delta);
  const upserts = [c.sitePolicy ? "sitePolicy" : "", counts(c.upserts)].filter(
    (p) => p !== "" && p !== "-",
  );
  return `delta ${delta.site} v${delta.version}: upsert ${upserts.join(" ") || "-"}; delete ${counts(c.deletes)}`;
}

function printDeltas(deltas: readonly SiteDelta[], out: Out): void {
  if (deltas.length === 0) out("no site deltas (no site's state changed)");
  for (const d of deltas) out(describeDelta(d));
}

// --- commands ---

function init({ store, out }: Context): number {
  out(`store ready, schema version ${SCHEMA_VERSION}, ${store.sites().length} site(s)`);
  return 0;
}

function load({ store, args, out }: Context): number {
  const file = args[0];
  if (!file) throw new UsageError("load needs FILE.json");
  let dataset: Dataset;
  try {
    dataset = JSON.parse(readFileSync(file, "utf8")) as Dataset;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const result = loadDataset(store, dataset);
  out(`loaded ${counts(result.rows)} in ${result.ms} ms`);
  out(
    result.sitesMarked.length === 0
      ? "no site's state changed"
      : `no deltas; these sites get a snapshot next: ${result.sitesMarked.join(", ")}`,
  );
  return 0;
}

function siteAdd({ commands, values, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("site add needs an ID");
  const threshold = thresholdOf(values.threshold);
  const result = commands.createSite({
    id,
    name: need(values.name, "name"),
    ...(values.timezone === undefined ? {} : { timezone: values.timezone }),
    fingerprintRequired: values.fingerprint === true,
    ...(threshold === undefined ? {} : { fingerprintThreshold: threshold }),
  });
  out(`site ${result.siteId} created`);
  printDeltas(result.deltas, out);
  return 0;
}

function sitePolicy({ commands, values, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("site policy needs an ID");
  if (values.fingerprint && values["no-fingerprint"]) {
    throw new UsageError("--fingerprint or --no-fingerprint, not both");
  }
  const required = values.fingerprint ? true : values["no-fingerprint"] ? false : undefined;
  const threshold = thresholdOf(values.threshold);
  const result = commands.setSitePolicy({
    siteId: id,
    ...(required === undefined ? {} : { fingerprintRequired: required }),
    ...(threshold === undefined ? {} : { fingerprintThreshold: threshold }),
  });
  out(`site ${id} policy set`);
  printDeltas(result.deltas, out);
  return 0;
}

function grant({ commands, values, out }: Context): number {
  const employmentId = idOf(values.employment, "employment");
  const areaId = idOf(values.area, "area");
  const result = commands.grant(employmentId, areaId, {
    validFrom: instantOf(values.from, "from") ?? null,
    validUntil: instantOf(values.until, "until") ?? null,
    scheduleId: values.schedule === undefined ? null : idOf(values.schedule, "schedule"),
  });
  out(`authorization ${result.authorizationId}: employment ${employmentId} -> area ${areaId}`);
  printDeltas(result.deltas, out);
  return 0;
}

function revoke({ commands, values, out }: Context): number {
  const id = idOf(values.authorization, "authorization");
  const result = commands.revoke(id);
  out(`authorization ${id} revoked`);
  printDeltas(result.deltas, out);
  return 0;
}

function endEmployment({ commands, values, out }: Context): number {
  const id = idOf(values.employment, "employment");
  const result = commands.endEmployment(id, instantOf(values.at, "at"));
  out(`employment ${id} ends at ${iso(result.end)}`);
  printDeltas(result.deltas, out);
  return 0;
}

function cardStatus({ commands, values, out }: Context): number {
  const id = idOf(values.card, "card");
  const status = need(values.status, "status");
  if (!(CARD_STATUS_VALUES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${CARD_STATUS_VALUES.join(", ")}`);
  }
  const result = commands.setCardStatus(
    id,
    status as (typeof CARD_STATUS_VALUES)[number],
    values.reason,
  );
  out(`card ${id} is ${status}${values.reason ? ` (${values.reason})` : ""}`);
  printDeltas(result.deltas, out);
  return 0;
}

function showSite({ store, args, out }: Context): number {
  const id = args[0];
  if (!id) throw new UsageError("show site needs an ID");
  const site = store.site(id);
  if (site === undefined) throw new CentralError("NOT_FOUND", "site", `no site with id "${id}"`);
  out(`site            ${site.id} (${site.name}), ${site.timezone}`);
  out(
    `policy          fingerprint ${site.policy.fingerprintRequired ? "required" : "not required"}, threshold ${site.policy.fingerprintThreshold}`,
  );
  out(
    `version         ${site.version}${site.needsSnapshot ? " (needs a snapshot: bulk-loaded)" : ""}`,
  );
  out(`pending deltas  ${store.pendingDeltaCount(site.id)}`);
  out(`in force        ${counts(siteCounts(store, site.id))}`);
  out(`published       ${counts(publishedCounts(store, site.id))}`);
  return 0;
}

function deltas({ store, values, out }: Context): number {
  const site = need(values.site, "site");
  if (store.site(site) === undefined) {
    throw new CentralError("NOT_FOUND", "site", `no site with id "${site}"`);
  }
  const limit = values.limit === undefined ? 1000 : idOf(values.limit, "limit");
  const pending = store.pendingDeltas(limit, site);
  if (pending.length === 0) out(`no pending deltas for ${site}`);
  for (const p of pending) {
    out(
      values.json
        ? JSON.stringify(p.delta)
        : `${describeDelta(p.delta)} (created ${iso(p.createdAt)})`,
    );
  }
  return 0;
}

function snapshot({ store, values, out }: Context): number {
  const site = need(values.site, "site");
  const result = compileSnapshotDetailed(store, site);
  if (!values.out) {
    out(JSON.stringify(result.state));
    return 0;
  }
  writeStateFile(values.out, result.state);
  const c = Object.fromEntries(RECORD_KINDS.map((k) => [k, result.state[k].length]));
  out(
    `snapshot ${site} v${result.state.version}: ${counts(c)}${
      result.newVersion ? ` (new version; ${result.recorded} records recorded as sent)` : ""
    }`,
  );
  return 0;
}

/**
 * Writes a state as JSON (the edge's state file format, docs/state-file.md), a batch of
 * records at a time: a large site's state is longer than the longest string V8 can make.
 */
export function writeStateFile(path: string, state: SiteState): void {
  const fd = openSync(path, "w");
  try {
    const { site, version, sitePolicy } = state;
    writeSync(fd, JSON.stringify({ site, version, sitePolicy }).slice(0, -1));
    for (const kind of RECORD_KINDS) {
      const records: readonly unknown[] = state[kind];
      writeSync(fd, `,${JSON.stringify(kind)}:[`);
      for (let i = 0; i < records.length; i += 10_000) {
        const batch = JSON.stringify(records.slice(i, i + 10_000)).slice(1, -1);
        writeSync(fd, i === 0 ? batch : `,${batch}`);
      }
      writeSync(fd, "]");
    }
    writeSync(fd, "}\n");
  } finally {
    closeSync(fd);
  }
}

/** Where `serve` listens: --port or PORT (8080), --host (127.0.0.1). */
function httpOf(values: Values): HttpListenOptions {
  const text = values.port ?? process.env.PORT;
  const host = values.host ?? DEFAULT_HTTP.host;
  if (text === undefined || text === "") {
    return { ...DEFAULT_HTTP, host, explicit: values.host !== undefined };
  }
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError("--port must be 0..65535");
  return { port, host, explicit: true };
}

const DOOR_MODES = ["card", "card-and-fingerprint", "unlocked", "locked", "lockdown"] as const;

/**
 * The commands that talk to the broker rather than change the store: `serve`, `keygen`,
 * `command remote-open|lockdown|door-mode`. Undefined for any other command.
 */
async function serviceCommand(
  positionals: readonly string[],
  values: Values,
  out: Out,
): Promise<number | undefined> {
  const [first, second] = positionals;
  const mqttUrl = values.mqtt ?? process.env.MQTT_URL;
  const key = () => {
    if (!values.key) throw new UsageError("--key PRIVATE.pem is needed");
    return { keyFile: values.key, keyId: values["key-id"] ?? "central-1" };
  };
  if (first === "keygen") {
    if (!values.key || !values["public-key"])
      throw new UsageError("keygen needs --key PRIVATE.pem and --public-key PUBLIC.pem");
    keygen(values["key-id"] ?? "central-1", values.key, values["public-key"]);
    out(`key pair ${values["key-id"] ?? "central-1"} written`);
    return 0;
  }
  if (first === "serve") {
    if (!values.db) throw new UsageError("--db FILE is needed");
    const http = httpOf(values);
    await serve({
      db: values.db,
      http,
      ...(mqttUrl ? { mqttUrl, ...key() } : {}),
      ...(values["events-db"] ? { eventsDb: values["events-db"] } : {}),
      // SMS and e-mail in development: to the console, or appended to a file.
      ...(values.notifications === "console"
        ? { notifications: "console" as const }
        : values.notifications
          ? { notifications: { file: values.notifications } }
          : {}),
    });
    // Keeps running until SIGTERM.
    await new Promise(() => {});
  }
  if (first !== "command") return undefined;
  if (!mqttUrl) throw new UsageError("--mqtt URL (or MQTT_URL) is needed");
  if (!values.site) throw new UsageError("command needs --site ID");
  const reason = values.reason ?? "";
  let action: Parameters<typeof sendCommand>[0]["action"];
  switch (second) {
    case "remote-open":
      if (!values.door || !reason)
        throw new UsageError("remote-open needs --door ID and --reason TEXT");
      action = {
        kind: "remote-open",
        doorId: values.door,
        reason,
        operator: process.env.USER ?? "central",
      };
      break;
    case "lockdown":
      if (values.mode !== "on" && values.mode !== "off")
        throw new UsageError("lockdown needs --mode on|off");
      action = { kind: "lockdown", on: values.mode === "on", reason };
      break;
    case "door-mode": {
      const mode = DOOR_MODES.find((m) => m === values.mode);
      if (!values.door || !mode)
        throw new UsageError(`door-mode needs --door ID and --mode ${DOOR_MODES.join("|")}`);
      action = { kind: "door-mode", doorId: values.door, mode };
      break;
    }
    default:
      throw new UsageError("command remote-open|lockdown|door-mode");
  }
  const result = await sendCommand({
    mqttUrl,
    ...key(),
    site: values.site,
    action,
    ttlMs: values.ttl ? Number(values.ttl) * 1000 : 60_000,
  });
  if (!result) {
    out("no answer from the site (offline?): the command expires unanswered");
    return 1;
  }
  out(`${result.outcome}${result.reason ? ` (${result.reason})` : ""}`);
  return result.outcome === "done" ? 0 : 1;
}
