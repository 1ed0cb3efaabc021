import { SetupError } from "../broker/setup-error.js";
import { type Clock, systemClock } from "../clock.js";
import { CentralError } from "../errors.js";
import { MqttLinkError } from "../service/mqtt-link.js";
import { CentralCommands } from "../state/commands.js";
import { CARD_STATUS_VALUES } from "../state/schemas.js";
import { type CentralStore, openCentralStore } from "../state/store.js";
import { adminCreate } from "./account-commands.js";
import { type Command, type Out, parse, UsageError } from "./args.js";
import { BROKER_USAGE, brokerCommand } from "./broker-commands.js";
import { edgeList, edgeRegister, edgeRetire } from "./edge-commands.js";
import { serviceCommand } from "./service-commands.js";
import { deltas, showSite, snapshot, writeStateFile } from "./show-commands.js";
import {
  cardStatus,
  describeDelta,
  endEmployment,
  grant,
  init,
  load,
  revoke,
  siteAdd,
  sitePolicy,
} from "./state-commands.js";

export { describeDelta, writeStateFile };

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
  "admin create": {
    usage:
      "admin create --username NAME --email ADDRESS --mobile +316XXXXXXXX  (the first administrator)",
    run: adminCreate,
  },
  "edge register": {
    usage: "edge register --site ID --public-key FILE [--key-id ID]  (an edge's own key)",
    run: edgeRegister,
  },
  "edge list": { usage: "edge list [--site ID] [--json]", run: edgeList },
  "edge retire": { usage: "edge retire --key-id ID [--reason TEXT]", run: edgeRetire },
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
        [--mqtt URL --key PRIVATE.pem [--key-id ID] [--events-db FILE] [BROKER CREDENTIALS]]
        [--next-key PRIVATE.pem [--next-key-id ID]] [--edge-key-overlap SECONDS]
        the HTTP API (PORT for --port; 127.0.0.1:8080 by default) and, with --mqtt and
        --key, the sync service: deltas and snapshots out, edge events in (MQTT_URL for --mqtt);
        --next-key rotates central's key: each site moves to it once its edge trusts it
usage: central keygen --key PRIVATE.pem --public-key PUBLIC.pem [--key-id ID]
usage: central --db FILE command remote-open|lockdown|door-mode --mqtt URL --key PRIVATE.pem --site ID
        [--door ID] [--mode on|off|MODE] [--reason TEXT] [--ttl SECONDS] [BROKER CREDENTIALS]
BROKER CREDENTIALS (for an mqtts:// URL): --mqtt-ca FILE and --mqtt-cert FILE --mqtt-key FILE
        (a client certificate: central for serve, central-tool for command), or
        --mqtt-username NAME --mqtt-password-file FILE; or MQTT_CA, MQTT_CERT, MQTT_KEY,
        MQTT_USERNAME, MQTT_PASSWORD_FILE
${BROKER_USAGE}
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
    const broker = await brokerCommand(positionals, values, out);
    if (broker !== undefined) return broker;
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
    if (error instanceof SetupError || error instanceof MqttLinkError) {
      err(`central: ${error.message}`);
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
