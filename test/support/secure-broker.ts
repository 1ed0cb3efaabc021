import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { CENTRAL_BIN } from "./central-process.js";
import { freePort, Mosquitto } from "./mosquitto.js";

/** Files of a client identity: its certificate and key, and the CA that signed the broker's. */
export interface ClientFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const run = promisify(execFile);

/** The real central CLI; throws with its stderr unless it succeeds. */
async function cli(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, [CENTRAL_BIN, ...args])).stdout;
  } catch (error) {
    throw new Error(`central ${args.join(" ")}: ${(error as { stderr?: string }).stderr}`);
  }
}

/**
 * The installation's CA (`central ca init`) in `dir/ca`, a server certificate for
 * 127.0.0.1 and localhost in `dir/broker/certs` (where broker-config's configuration
 * looks), and a client certificate for each identity in `dir/clients`.
 */
export async function makeCertificates(
  dir: string,
  identities: readonly string[],
): Promise<{ ca: string; client: (identity: string) => ClientFiles }> {
  const ca = join(dir, "ca");
  const certs = join(dir, "broker", "certs");
  await cli("ca", "init", "--dir", ca, "--days", "2");
  mkdirSync(certs, { recursive: true });
  copyFileSync(join(ca, "ca.crt"), join(certs, "ca.crt"));
  await cli(
    "ca",
    "issue",
    "--dir",
    ca,
    "--name",
    "localhost",
    "--server",
    "--host",
    "127.0.0.1",
    "--host",
    "localhost",
    "--out",
    join(certs, "server"),
  );
  // Two at a time: the machine has two cores.
  for (let i = 0; i < identities.length; i += 2)
    await Promise.all(
      identities
        .slice(i, i + 2)
        .map((id) =>
          cli("ca", "issue", "--dir", ca, "--name", id, "--out", join(dir, "clients", id)),
        ),
    );
  return {
    ca: join(ca, "ca.crt"),
    client: (identity) => ({
      caFile: join(ca, "ca.crt"),
      certFile: join(dir, "clients", `${identity}.crt`),
      keyFile: join(dir, "clients", `${identity}.key`),
    }),
  };
}

/**
 * `central broker-config` for the store `db` into `dir/broker` on a free port, and a real
 * Mosquitto running exactly that configuration (the caller stops it).
 */
export async function startSecureBroker(
  dir: string,
  db: string,
  options: { auth?: "cert" | "password" } = {},
): Promise<{ broker: Mosquitto; brokerDir: string; configure: () => Promise<string> }> {
  const port = await freePort();
  const brokerDir = join(dir, "broker");
  const configure = () =>
    cli(
      "broker-config",
      "--db",
      db,
      "--out",
      brokerDir,
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--auth",
      options.auth ?? "cert",
      "--data-dir",
      join(dir, "broker-data"),
    );
  await configure();
  const broker = await Mosquitto.startWith(join(brokerDir, "mosquitto.conf"), { port, tls: true });
  return { broker, brokerDir, configure };
}

/** An MQTT 3.1.1 client over TLS with `files` (and any other options, e.g. a client id). */
export function tlsClient(
  url: string,
  files: Partial<ClientFiles>,
  options: mqtt.IClientOptions = {},
): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    rejectUnauthorized: true,
    ...(files.caFile ? { ca: readFileSync(files.caFile) } : {}),
    ...(files.certFile ? { cert: readFileSync(files.certFile) } : {}),
    ...(files.keyFile ? { key: readFileSync(files.keyFile) } : {}),
    ...options,
  });
}
