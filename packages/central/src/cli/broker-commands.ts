import { DEFAULT_BROKER_PORT, writeBrokerConfig } from "../broker/broker-config.js";
import { type Out, UsageError, type Values } from "./args.js";

/** The usage lines of the broker's set-up commands. */
export const BROKER_USAGE = `usage: central ca init --dir DIR [--days N] [--name CN]
        a CA for the broker's TLS: DIR/ca.key (ECDSA P-256, mode 0600) and DIR/ca.crt
usage: central ca issue --dir DIR --name CN [--server --host NAME|IP ...] --out PREFIX [--days N]
        PREFIX.crt and PREFIX.key (0600) signed by the CA: a server certificate for the
        broker's names, or a client certificate for an identity (edge-SITE, central, central-tool)
usage: central broker-config --db FILE --out DIR [--port N] [--bind ADDR] [--auth cert|password]
        [--broker-dir DIR] [--data-dir DIR]
        Mosquitto's configuration and ACL for every site (docs/broker.md); after a new
        site, run it again and reload the broker (SIGHUP)`;

/**
 * `ca init`, `ca issue` and `broker-config`: they set the broker up and need no running
 * service. Undefined for any other command.
 */
export async function brokerCommand(
  positionals: readonly string[],
  values: Values,
  out: Out,
): Promise<number | undefined> {
  const [first, second] = positionals;
  if (first === "broker-config") return brokerConfig(values, out);
  if (first !== "ca") return undefined;
  // The X.509 library loads only for the CA's commands.
  const ca = await import("../broker/ca.js");
  const dir = needOption(values.dir, "dir", "DIR");
  const days = daysOf(values.days);
  if (second === "init") {
    const made = await ca.initCa({
      dir,
      ...(days === undefined ? {} : { days }),
      ...(values.name ? { name: values.name } : {}),
    });
    out(`CA made: ${made.certFile} (until ${made.notAfter.toISOString()}), key ${made.keyFile}`);
    return 0;
  }
  if (second === "issue") {
    const name = needOption(values.name, "name", "CN");
    const issued = await ca.issueCertificate({
      dir,
      name,
      server: values.server === true,
      hosts: values.host ?? [],
      out: needOption(values.out, "out", "PREFIX"),
      ...(days === undefined ? {} : { days }),
    });
    out(
      `${values.server ? "server" : "client"} certificate ${name} issued (serial ${issued.serial}, until ${issued.notAfter.toISOString()}): ${issued.certFile}, key ${issued.keyFile}`,
    );
    return 0;
  }
  throw new UsageError("ca init|issue");
}

function brokerConfig(values: Values, out: Out): number {
  const db = needOption(values.db, "db", "FILE");
  const dir = needOption(values.out, "out", "DIR");
  const auth = values.auth ?? "cert";
  if (auth !== "cert" && auth !== "password") throw new UsageError("--auth cert|password");
  const port = values.port === undefined ? DEFAULT_BROKER_PORT : Number(values.port);
  if (!/^\d+$/.test(values.port ?? "0") || port < 1 || port > 65535)
    throw new UsageError("--port must be 1..65535");
  const result = writeBrokerConfig({
    db,
    out: dir,
    port,
    auth,
    ...(values.bind ? { bind: values.bind } : {}),
    ...(values["broker-dir"] ? { brokerDir: values["broker-dir"] } : {}),
    ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
  });
  out(
    `broker configuration for ${result.sites.length} site(s), ${result.identities.length} identities in ${dir}`,
  );
  out(result.written.length === 0 ? "unchanged" : `written: ${result.written.join(", ")}`);
  for (const identity of result.newPasswords) out(`new password: ${identity}`);
  for (const file of result.stale) out(`stale (site no longer in the store): ${file}`);
  if (result.written.length > 0) out("reload the broker to apply: kill -HUP <mosquitto pid>");
  return 0;
}

function needOption(value: string | undefined, option: string, what: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${option} ${what} is needed`);
  return value;
}

function daysOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > 36_500)
    throw new UsageError("--days must be 1..36500");
  return days;
}
