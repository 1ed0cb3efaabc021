import { readFileSync } from "node:fs";
import type { SigningKey } from "@acs/protocol";
import { defineFormat, FORMATS, type Format, WiegandError } from "@acs/wiegand";
import { z } from "zod";
import { readEdgeKey } from "./edge-key.js";
import { readSyncCredentials } from "./sync-credentials.js";

const id = z.string().regex(/^[a-z0-9_-]{1,64}$/, "use 1-64 of a-z 0-9 _ -");

const ReaderSchema = z.strictObject({
  id,
  port: z.number().int().min(0).max(15),
  /** Format names in priority order: built-ins (H10301, ...) or the site's own formats. */
  formats: z.array(z.string()).min(1),
  gapCapMs: z.number().int().min(1).max(255).optional(),
});

const BridgeBusSchema = z.strictObject({
  id,
  kind: z.literal("bridge"),
  device: z.string().min(1),
  baudRate: z.number().int().positive().default(115200),
  heartbeatMs: z.number().int().min(10).max(10_000).default(250),
  readers: z.array(ReaderSchema).default([]),
});

const pdAddress = z.number().int().min(0).max(126);

const OsdpPdSchema = z.strictObject({
  address: pdAddress,
  /** The PD's own secure channel base key (AES-128), 32 hex digits. */
  keyHex: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, "32 hex digits")
    .optional(),
  /** Enrol a PD that has no key yet with the default key, then give it keyHex (KEYSET). */
  install: z.boolean().default(false),
  /** What the PD is, for operators; the PD's own capabilities decide what is used. */
  role: z.enum(["reader", "fingerprint", "io"]).optional(),
});

const OsdpReaderSchema = z.strictObject({
  id,
  /** The reader PD's address on the bus. */
  address: pdAddress,
  formats: z.array(z.string()).min(1),
});

const OsdpBusSchema = z.strictObject({
  id,
  kind: z.literal("osdp"),
  device: z.string().min(1),
  baudRate: z
    .union([9600, 19200, 38400, 57600, 115200, 230400].map((b) => z.literal(b)))
    .default(115200),
  /** Production: no PD runs outside the secure channel. */
  requireSecure: z.boolean().default(true),
  /** Allows the default key (SCBK-D) for PDs marked install. */
  allowInstallMode: z.boolean().default(false),
  replyTimeoutMs: z.number().int().min(20).max(2000).default(200),
  retries: z.number().int().min(0).max(10).default(2),
  /** How often the bus's and each PD's statistics go to the event log (0: never). */
  statsIntervalMs: z.number().int().min(0).default(60_000),
  pds: z.array(OsdpPdSchema).min(1).max(126),
  readers: z.array(OsdpReaderSchema).default([]),
});

/** An input or output: on a bridge board its number; on an OSDP bus also the PD's address. */
const Point = z.strictObject({
  bus: id,
  number: z.number().int().min(0).max(15),
  address: pdAddress.optional(),
});

const AntiPassbackSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("timed"),
    seconds: z.number().int().positive(),
    mode: z.enum(["soft", "hard"]),
  }),
  z.strictObject({ kind: z.literal("area"), mode: z.enum(["soft", "hard"]) }),
]);

const DoorSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** The area behind the door, whose authorization a card needs. */
  areaId: z.number().int().positive(),
  entryReader: id,
  exitReader: id.optional(),
  lock: Point,
  contact: Point.optional(),
  rex: Point.extend({ unlocks: z.boolean().default(true) }).optional(),
  strikeMs: z.number().int().min(100).max(60_000).default(5000),
  relockOnClose: z.boolean().default(true),
  heldOpenPreAlarmMs: z.number().int().positive().default(20_000),
  heldOpenAlarmMs: z.number().int().positive().default(30_000),
  mode: z.enum(["card", "card-and-fingerprint", "unlocked", "locked", "lockdown"]).default("card"),
  fingerprint: z.boolean().default(false),
  antiPassback: AntiPassbackSchema.optional(),
  /** The OSDP fingerprint terminal of a card + fingerprint door. */
  terminal: z.strictObject({ bus: id, address: pdAddress }).optional(),
  /** Doors with the same group form a mantrap: one opens only while the others are shut. */
  interlockGroup: id.optional(),
});

const SyncSchema = z.strictObject({
  /** The broker central publishes through, e.g. mqtt://broker.example:1883. */
  mqttUrl: z.string().regex(/^mqtts?:\/\//, "an mqtt:// or mqtts:// URL"),
  /**
   * This edge's own Ed25519 key (`accessctl keygen`), registered at central for this site:
   * everything the edge sends is signed with it. The key id defaults to
   * `<site>-<fingerprint>`, as `accessctl keygen` prints it.
   */
  edgeKey: z.strictObject({
    privateKeyFile: z.string().min(1),
    keyId: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, "1..128 printable ASCII characters, no spaces")
      .optional(),
  }),
  /** TLS to the broker (mqtts://): its CA and this edge's client certificate (CN edge-<site>). */
  tls: z
    .strictObject({
      caFile: z.string().min(1),
      certFile: z.string().min(1).optional(),
      /** Unencrypted PEM, mode 0600. */
      keyFile: z.string().min(1).optional(),
      /** The name the broker's certificate must carry, when not the URL's host. */
      servername: z.string().min(1).optional(),
    })
    .optional(),
  /** A password instead of a client certificate; only the file's path is in the config. */
  auth: z.strictObject({ username: z.string().min(1), passwordFile: z.string().min(1) }).optional(),
  /** Central's Ed25519 public keys: deltas, snapshots and commands must be signed by one. */
  centralKeys: z
    .array(z.strictObject({ keyId: z.string().min(1), publicKeyPem: z.string().min(1) }))
    .min(1),
  /** How often the retained status is refreshed. */
  heartbeatMs: z.number().int().min(1000).default(30_000),
  uplink: z
    .strictObject({
      batchEvents: z.number().int().min(1).max(5000).optional(),
      window: z.number().int().min(1).max(64).optional(),
      /** The outbox's capacity for the alarm levels; events are never dropped. */
      maxEvents: z.number().int().min(1000).optional(),
    })
    .default({}),
});

export const SiteConfigSchema = z.strictObject({
  site: id,
  timezone: z.string().default("Europe/Amsterdam"),
  store: z.strictObject({
    path: z.string().min(1),
    /** WAL checkpoints from a worker thread every this many ms (0: SQLite's own, inline). */
    checkpointMs: z.number().int().min(0).default(2000),
    /**
     * Events held in memory, in order, while the store takes no writes (disk full, I/O
     * error); past it the newest are dropped and counted. ~200 bytes of memory each.
     */
    memoryQueueEvents: z.number().int().min(100_000).max(5_000_000).default(200_000),
    /** Past this size the WAL is emptied (TRUNCATE checkpoint), so it cannot fill the disk. */
    walLimitBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(64 * 1024 * 1024),
    /**
     * Tests only, where no small filesystem can be mounted: while this file says "full"
     * the store may not grow (SQLite's max_page_count), as on a full disk.
     */
    pageLimitFile: z.string().min(1).optional(),
  }),
  log: z
    .strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error"]).default("info") })
    .default({
      level: "info",
    }),
  fingerprint: z
    .strictObject({
      /** AES-256 key for templates at rest, 64 hex digits. */
      keyHex: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex digits"),
      /** How long a card grant keeps the terminal armed for the finger. */
      armMs: z.number().int().positive().default(10_000),
    })
    .optional(),
  /** The site's own card formats, as data (see packages/wiegand). */
  formats: z.array(z.unknown()).default([]),
  buses: z.array(z.discriminatedUnion("kind", [BridgeBusSchema, OsdpBusSchema])).default([]),
  doors: z.array(DoorSchema).default([]),
  /** Central over MQTT: snapshots and deltas in, events and status out, commands. */
  sync: SyncSchema.optional(),
});

export type SiteConfigInput = z.input<typeof SiteConfigSchema>;
type Parsed = z.output<typeof SiteConfigSchema>;
export type DoorConfig = Parsed["doors"][number];
export type BusConfig = Parsed["buses"][number];
export type SyncConfig = NonNullable<Parsed["sync"]>;
export type OsdpBusConfig = Extract<BusConfig, { kind: "osdp" }>;
export type BridgeBusConfig = Extract<BusConfig, { kind: "bridge" }>;
/** A reader and its place on its bus: a bridge board's port, or an OSDP PD's address. */
export interface ReaderConfig {
  readonly id: string;
  readonly port: number;
  readonly formats: readonly string[];
  readonly gapCapMs?: number;
}

export interface SiteConfig extends Omit<Parsed, "formats"> {
  /** Every format a reader may name: the built-ins and the site's own. */
  readonly formats: ReadonlyMap<string, Format>;
  /** The edge's signing key, read from `sync.edgeKey` (present when sync is). */
  readonly edgeKey?: SigningKey;
  /** reader id -> its bus, its config and its formats resolved in priority order. */
  readonly readers: ReadonlyMap<
    string,
    { bus: BusConfig; reader: ReaderConfig; formats: readonly Format[] }
  >;
}

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends Error {
  readonly code = "INVALID_CONFIG";
  readonly problems: readonly ConfigProblem[];
  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(
      `${source}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const pathOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    "",
  ) || "(root)";

/** Parses a site config, reporting every problem at once, each with the path of the bad field. */
export function parseSiteConfig(value: unknown, source = "site config"): SiteConfig {
  const result = SiteConfigSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
    );
  }
  const config = result.data;
  const problems: ConfigProblem[] = [];
  const formats = new Map<string, Format>(Object.entries(FORMATS));
  config.formats.forEach((spec, i) => {
    try {
      const format = defineFormat(spec);
      if (formats.has(format.name))
        problems.push({
          path: `formats[${i}].name`,
          message: `"${format.name}" is already defined`,
        });
      formats.set(format.name, format);
    } catch (err) {
      if (!(err instanceof WiegandError)) throw err;
      const inner = (err as { problems?: ConfigProblem[] }).problems ?? [
        { path: "", message: err.message },
      ];
      for (const p of inner)
        problems.push({ path: `formats[${i}]${p.path ? `.${p.path}` : ""}`, message: p.message });
    }
  });
  const buses = new Map<string, BusConfig>();
  const readers = new Map<string, { bus: BusConfig; reader: ReaderConfig; formats: Format[] }>();
  config.buses.forEach((bus, b) => {
    if (buses.has(bus.id))
      problems.push({ path: `buses[${b}].id`, message: `duplicate bus "${bus.id}"` });
    buses.set(bus.id, bus);
    const ports = new Set<number>();
    const pdAddresses = new Set<number>();
    if (bus.kind === "osdp") {
      bus.pds.forEach((pd, p) => {
        if (pdAddresses.has(pd.address))
          problems.push({
            path: `buses[${b}].pds[${p}].address`,
            message: `address ${pd.address} used twice`,
          });
        pdAddresses.add(pd.address);
        if (bus.requireSecure && !pd.keyHex)
          problems.push({
            path: `buses[${b}].pds[${p}].keyHex`,
            message: "the bus requires the secure channel: every PD needs its key",
          });
        if (pd.install && !bus.allowInstallMode)
          problems.push({
            path: `buses[${b}].pds[${p}].install`,
            message: "install mode is not allowed on this bus (allowInstallMode)",
          });
      });
    }
    const busReaders: ReaderConfig[] =
      bus.kind === "osdp"
        ? bus.readers.map((r) => ({ id: r.id, port: r.address, formats: r.formats }))
        : bus.readers;
    busReaders.forEach((reader, r) => {
      const at = `buses[${b}].readers[${r}]`;
      if (readers.has(reader.id))
        problems.push({ path: `${at}.id`, message: `duplicate reader "${reader.id}"` });
      const place = bus.kind === "osdp" ? "address" : "port";
      if (ports.has(reader.port))
        problems.push({ path: `${at}.${place}`, message: `${place} ${reader.port} used twice` });
      if (bus.kind === "osdp" && !pdAddresses.has(reader.port))
        problems.push({ path: `${at}.address`, message: `no PD at address ${reader.port}` });
      ports.add(reader.port);
      const resolved: Format[] = [];
      reader.formats.forEach((name, f) => {
        const format = formats.get(name);
        if (format) resolved.push(format);
        else
          problems.push({ path: `${at}.formats[${f}]`, message: `unknown card format "${name}"` });
      });
      readers.set(reader.id, { bus, reader, formats: resolved });
    });
  });
  const doorIds = new Set<string>();
  const readerUse = new Map<string, string>();
  config.doors.forEach((door, d) => {
    const at = `doors[${d}]`;
    if (doorIds.has(door.id))
      problems.push({ path: `${at}.id`, message: `duplicate door "${door.id}"` });
    doorIds.add(door.id);
    for (const key of ["entryReader", "exitReader"] as const) {
      const readerId = door[key];
      if (readerId === undefined) continue;
      if (!readers.has(readerId))
        problems.push({ path: `${at}.${key}`, message: `unknown reader "${readerId}"` });
      const other = readerUse.get(readerId);
      if (other)
        problems.push({
          path: `${at}.${key}`,
          message: `reader "${readerId}" already serves door "${other}"`,
        });
      readerUse.set(readerId, door.id);
    }
    for (const key of ["lock", "contact", "rex", "terminal"] as const) {
      const point = door[key];
      if (!point) continue;
      const bus = buses.get(point.bus);
      if (!bus) {
        problems.push({ path: `${at}.${key}.bus`, message: `unknown bus "${point.bus}"` });
      } else if (bus.kind === "osdp") {
        if (point.address === undefined)
          problems.push({
            path: `${at}.${key}.address`,
            message: "an OSDP point needs the PD's address",
          });
        else if (!bus.pds.some((pd) => pd.address === point.address))
          problems.push({
            path: `${at}.${key}.address`,
            message: `no PD at address ${point.address}`,
          });
      } else if (key === "terminal") {
        problems.push({
          path: `${at}.terminal.bus`,
          message: "a fingerprint terminal is on an OSDP bus",
        });
      }
    }
    if (door.heldOpenAlarmMs < door.heldOpenPreAlarmMs) {
      problems.push({
        path: `${at}.heldOpenAlarmMs`,
        message: "must not be shorter than heldOpenPreAlarmMs",
      });
    }
    if ((door.fingerprint || door.mode === "card-and-fingerprint") && !config.fingerprint) {
      problems.push({
        path: `${at}.fingerprint`,
        message: "a fingerprint door needs the site's fingerprint key",
      });
    }
  });
  try {
    new Intl.DateTimeFormat("en", { timeZone: config.timezone });
  } catch {
    problems.push({ path: "timezone", message: `unknown time zone "${config.timezone}"` });
  }
  const edgeKey = config.sync ? readEdgeKey(config.site, config.sync.edgeKey, problems) : undefined;
  if (config.sync) problems.push(...readSyncCredentials(config.sync, config.site).problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { ...config, formats, readers, ...(edgeKey ? { edgeKey } : {}) };
}

export function loadSiteConfig(path: string): SiteConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [{ path: "(file)", message: (err as Error).message }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [
      { path: "(file)", message: `not JSON: ${(err as Error).message}` },
    ]);
  }
  return parseSiteConfig(json, path);
}
