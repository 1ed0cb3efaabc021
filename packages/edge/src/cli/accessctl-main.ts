import { readFileSync, statfsSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildAccessIndex } from "../access-index/build-index.js";
import { ConfigError, loadSiteConfig, type SiteConfig } from "../config/site-config.js";
import { findCard } from "../decision/decide.js";
import { explain } from "../decision/explain.js";
import { parseTemplateKey, sealTemplate } from "../fingerprint/template-crypto.js";
import { ZoneClock } from "../schedule/local-time.js";
import { StoreError } from "../store/errors.js";
import { importStateFile } from "../store/state-file.js";
import { openStore, type Store } from "../store/store.js";
import { WalAnchor } from "../store/wal-anchor.js";
import { KeygenUsageError, keygen } from "./keygen-command.js";

const USAGE = `usage: accessctl --config SITE.json COMMAND
  keygen [--out FILE] [--force]      the edge's own key pair (to the file sync.edgeKey names)
  import FILE                        load a full site state from a JSON state file
  status                             state version, record counts, outbox depth
  explain --card CARD --door DOOR    why this card does (not) open this door, in the support desk's order
  events [--limit N] [--door DOOR] [--json]  recent events, newest first
  enroll --card CARD --template FILE enroll a fingerprint template for this card (on site)
       accessctl keygen --site ID --out FILE [--key-id ID]   (without a site config)
CARD is FORMAT:FACILITY:NUMBER (e.g. H10301:18:12345, H10302::123456), id:CARD_ID or bits:0101...`;

class UsageError extends Error {
  readonly code = "USAGE";
}

type Out = (line: string) => void;

export async function main(
  argv: string[],
  out: Out = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string" },
        card: { type: "string" },
        door: { type: "string" },
        limit: { type: "string" },
        template: { type: "string" },
        json: { type: "boolean" },
        site: { type: "string" },
        out: { type: "string" },
        "key-id": { type: "string" },
        force: { type: "boolean" },
      },
    });
    if (positionals[0] === "keygen")
      return keygen(
        {
          config: values.config,
          site: values.site,
          out: values.out,
          keyId: values["key-id"],
          force: values.force,
        },
        out,
      );
    if (!values.config) throw new UsageError("--config is required");
    const config = loadSiteConfig(values.config);
    const [command, ...rest] = positionals;
    const store = openStore(config.store.path);
    // Closed last, it keeps the WAL files that accessd needs to start on a full disk.
    const anchor = WalAnchor.hold(config.store.path);
    try {
      switch (command) {
        case "import":
          return importCommand(store, config, rest[0], out);
        case "status":
          return statusCommand(store, config.store.path, out);
        case "explain":
          return explainCommand(store, config, values.card, values.door, out);
        case "events":
          return eventsCommand(
            store,
            Number(values.limit ?? 20),
            values.door,
            values.json === true,
            out,
          );
        case "enroll":
          return enrollCommand(store, config, values.card, values.template, out);
        default:
          throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
      }
    } finally {
      store.close();
      anchor.release();
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof KeygenUsageError) {
      process.stderr.write(`accessctl: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof StoreError) {
      process.stderr.write(`accessctl: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function importCommand(
  store: Store,
  config: SiteConfig,
  file: string | undefined,
  out: Out,
): number {
  if (!file) throw new UsageError("import needs a FILE");
  const result = importStateFile(store, file, { expectedSite: config.site, now: Date.now() });
  out(
    `imported state version ${store.stateVersion()} for site ${config.site}: ${JSON.stringify(result)}`,
  );
  return 0;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The store's disk: free space and the WAL. accessd's memory queue is in accessd (its
 * log and the status topic say how many events it holds); here only what the disk shows.
 */
function diskLines(path: string, out: Out): void {
  try {
    const fs = statfsSync(path);
    const free = fs.bavail * fs.bsize;
    out(
      `store disk free ${mib(free)}${free === 0 ? "  (full: accessd holds its events in memory)" : ""}`,
    );
  } catch {
    out("store disk free -");
  }
  let wal = 0;
  try {
    wal = statSync(`${path}-wal`).size;
  } catch {
    // no WAL file
  }
  out(`store WAL       ${mib(wal)}`);
}

function statusCommand(store: Store, path: string, out: Out): number {
  const db = store.db;
  const count = (table: string) =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  out(`site            ${store.site() ?? "(no state yet)"}`);
  out(`state version   ${store.stateVersion() ?? "-"}`);
  const applied = store.stateAppliedAt();
  out(`applied at      ${applied ? new Date(applied).toISOString() : "-"}`);
  for (const table of [
    "person",
    "card",
    "employment",
    "access_authorization",
    "area",
    "certificate",
    "fingerprint_enrollment",
  ]) {
    out(`${table.padEnd(15)} ${count(table)}`);
  }
  out(`outbox depth    ${store.outboxDepth()}`);
  diskLines(path, out);
  const health = db
    .prepare(
      "SELECT payload FROM event_outbox WHERE type = 'bus-health' ORDER BY seq DESC LIMIT 500",
    )
    .pluck()
    .all() as string[];
  const latest = new Map<string, string>();
  for (const p of health) {
    // A bridge board is the whole bus; on an OSDP bus each PD has its own state.
    const h = JSON.parse(p) as { bus: string; state: string; address?: number };
    const where = h.address === undefined ? h.bus : `${h.bus} PD ${h.address}`;
    if (!latest.has(where)) latest.set(where, h.state);
  }
  for (const [where, state] of [...latest].sort()) out(`bus ${where.padEnd(16)}${state}`);
  return 0;
}

function cardSlotOf(spec: string, index: ReturnType<typeof buildAccessIndex>): number {
  if (spec.startsWith("id:")) return index.cardIds.get(Number(spec.slice(3)));
  if (spec.startsWith("bits:")) return index.rawCredentials.get(spec.slice(5)) ?? -1;
  const [format, facility, number] = spec.split(":");
  if (!format || number === undefined) throw new UsageError(`cannot read card "${spec}"`);
  const fields: Record<string, number> = { card: Number(number) };
  if (facility) fields.facility = Number(facility);
  return findCard(index, { format, bitLength: 0, bits: "", fields });
}

function explainCommand(
  store: Store,
  config: SiteConfig,
  card: string | undefined,
  doorId: string | undefined,
  out: Out,
): number {
  if (!card || !doorId) throw new UsageError("explain needs --card and --door");
  const door = config.doors.find((d) => d.id === doorId);
  if (!door)
    throw new UsageError(
      `unknown door "${doorId}"; doors: ${config.doors.map((d) => d.id).join(", ")}`,
    );
  const index = buildAccessIndex(store.db);
  const slot = cardSlotOf(card, index);
  if (slot < 0) {
    out(
      `card ${card}: UNKNOWN_CARD: this card is not known at site ${config.site} (state version ${index.version})`,
    );
    return 1;
  }
  const ms = Date.now();
  const policy = index.doorPolicies.get(door.id);
  const { decision, steps } = explain(
    index,
    slot,
    {
      id: door.id,
      areaId: door.areaId,
      direction: "entry",
      mode: policy?.mode ?? door.mode,
      fingerprint: door.fingerprint,
      ...(door.antiPassback ? { antiPassback: door.antiPassback } : {}),
    },
    { ms, local: new ZoneClock(config.timezone).local(ms) },
  );
  out(`card ${card} at door ${door.id} (${door.name}), state version ${index.version}:`);
  steps.forEach((step, i) => {
    out(`  ${i + 1}. ${step.check.padEnd(14)} ${step.ok ? "ok  " : "FAIL"} ${step.text}`);
  });
  out(
    decision.outcome === "deny"
      ? `decision: DENY ${decision.reason}: ${decision.message}`
      : `decision: ${decision.outcome === "grant" ? "GRANT" : "GRANT after a matching fingerprint"}`,
  );
  const cardId = index.cardId[slot] as number;
  const recent = store.db
    .prepare(
      "SELECT at, type, payload FROM event_outbox WHERE door_id = ? AND type = 'access-decision' AND json_extract(payload, '$.cardId') = ? ORDER BY seq DESC LIMIT 5",
    )
    .all(door.id, cardId) as Array<{ at: number; type: string; payload: string }>;
  if (recent.length > 0) out("last decisions for this card at this door:");
  for (const e of recent) {
    const p = JSON.parse(e.payload) as { outcome: string; reason?: string };
    out(`  ${new Date(e.at).toISOString()} ${p.outcome}${p.reason ? ` ${p.reason}` : ""}`);
  }
  return decision.outcome === "deny" ? 1 : 0;
}

function eventsCommand(
  store: Store,
  limit: number,
  doorId: string | undefined,
  json: boolean,
  out: Out,
): number {
  const events = store.events({ limit: Math.max(1, Math.min(limit, 10_000)), newestFirst: true });
  for (const e of events) {
    if (doorId && e.doorId !== doorId) continue;
    if (json) {
      out(JSON.stringify(e));
      continue;
    }
    const where = [e.doorId && `door=${e.doorId}`, e.readerId && `reader=${e.readerId}`]
      .filter(Boolean)
      .join(" ");
    out(
      `${String(e.seq).padStart(8)} ${new Date(e.at).toISOString()} ${e.type.padEnd(24)} ${where} ${JSON.stringify(e.payload)}`,
    );
  }
  return 0;
}

function enrollCommand(
  store: Store,
  config: SiteConfig,
  card: string | undefined,
  templateFile: string | undefined,
  out: Out,
): number {
  if (!card || !templateFile) throw new UsageError("enroll needs --card and --template");
  if (!config.fingerprint) throw new UsageError("this site has no fingerprint key configured");
  const index = buildAccessIndex(store.db);
  const slot = cardSlotOf(card, index);
  if (slot < 0) throw new UsageError(`card ${card} is not known at this site`);
  const personSlot = index.cardPerson[slot] as number;
  if (personSlot < 0) throw new UsageError(`card ${card} belongs to no known person`);
  if (index.cardStatus[slot] !== 0)
    throw new UsageError(`card ${card} is not active: enroll with the current card`);
  const personId = index.personId[personSlot] as number;
  const cardId = index.cardId[slot] as number;
  const template = readFileSync(templateFile);
  const key = parseTemplateKey(config.fingerprint.keyHex);
  const now = Date.now();
  store.saveEnrollment({
    personId,
    cardId,
    enrolledAt: now,
    sealedTemplate: sealTemplate(key, personId, cardId, template),
  });
  store.appendEvent({ at: now, type: "fingerprint-enrolled", payload: { personId, cardId } });
  out(`enrolled a fingerprint for person ${personId} with card ${cardId}`);
  return 0;
}
