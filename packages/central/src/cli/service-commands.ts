import { type Out, UsageError, type Values } from "./args.js";
import { mqttCredentialsOf } from "./mqtt-credentials.js";
import { DEFAULT_HTTP, type HttpListenOptions, keygen, sendCommand, serve } from "./serve.js";

/** Where `serve` listens: --port or PORT (8080), --host (127.0.0.1). */
function httpOf(values: Values): HttpListenOptions {
  const text = values.port ?? process.env.PORT;
  if ((values.host?.length ?? 0) > 1) throw new UsageError("serve listens on one --host");
  const given = values.host?.[0];
  const host = given ?? DEFAULT_HTTP.host;
  if (text === undefined || text === "") {
    return { ...DEFAULT_HTTP, host, explicit: given !== undefined };
  }
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError("--port must be 0..65535");
  return { port, host, explicit: true };
}

/** A whole number of seconds from an option, or a UsageError naming it. */
function secondsOption(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number of seconds`);
  return Number(text);
}

const DOOR_MODES = ["card", "card-and-fingerprint", "unlocked", "locked", "lockdown"] as const;

/**
 * The commands that talk to the broker rather than change the store: `serve`, `keygen`,
 * `command remote-open|lockdown|door-mode`. Undefined for any other command.
 */
export async function serviceCommand(
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
    const mqtt = mqttUrl ? mqttCredentialsOf(values, mqttUrl) : undefined;
    await serve({
      db: values.db,
      http,
      ...(mqttUrl ? { mqttUrl, ...key() } : {}),
      ...(values["next-key"]
        ? { nextKeyFile: values["next-key"], nextKeyId: values["next-key-id"] ?? "central-2" }
        : {}),
      ...(values["edge-key-overlap"]
        ? {
            edgeKeyOverlapMs:
              secondsOption(values["edge-key-overlap"], "--edge-key-overlap") * 1000,
          }
        : {}),
      ...(mqtt ? { mqtt } : {}),
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
  if (!values.db)
    throw new UsageError("command needs --db FILE (the edges' keys its answer is checked with)");
  if (!values.site) throw new UsageError("command needs --site ID");
  const mqtt = mqttCredentialsOf(values, mqttUrl);
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
    db: values.db,
    mqttUrl,
    ...(mqtt ? { mqtt } : {}),
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
