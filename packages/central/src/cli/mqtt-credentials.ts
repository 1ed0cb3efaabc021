import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { reasonOf, SetupError } from "../broker/setup-error.js";
import type { MqttCredentials } from "../service/mqtt-link.js";
import { UsageError, type Values } from "./args.js";

/**
 * The broker credentials of `serve` and `command`: --mqtt-ca, --mqtt-cert and --mqtt-key
 * (or MQTT_CA, MQTT_CERT, MQTT_KEY), or --mqtt-username with --mqtt-password-file (or
 * MQTT_USERNAME, MQTT_PASSWORD_FILE). The files are read and checked before anything
 * connects; the password only ever comes from its file.
 */
export function mqttCredentialsOf(
  values: Values,
  mqttUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): MqttCredentials | undefined {
  const option = (name: keyof Values & `mqtt-${string}`, variable: string) =>
    (values[name] as string | undefined) || env[variable] || undefined;
  const caFile = option("mqtt-ca", "MQTT_CA");
  const certFile = option("mqtt-cert", "MQTT_CERT");
  const keyFile = option("mqtt-key", "MQTT_KEY");
  const username = option("mqtt-username", "MQTT_USERNAME");
  const passwordFile = option("mqtt-password-file", "MQTT_PASSWORD_FILE");
  const secure = mqttUrl.startsWith("mqtts://");
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError("--mqtt-cert and --mqtt-key go together");
  if ((username === undefined) !== (passwordFile === undefined))
    throw new UsageError("--mqtt-username and --mqtt-password-file go together");
  if ((caFile || certFile) && !secure)
    throw new UsageError("--mqtt-ca, --mqtt-cert and --mqtt-key need an mqtts:// URL");
  if (username && !secure)
    throw new UsageError("a password goes only over TLS: an mqtts:// URL (and --mqtt-ca)");
  if (!secure) return undefined;
  const credentials: { -readonly [K in keyof MqttCredentials]: MqttCredentials[K] } = {
    // Without --mqtt-ca the broker's certificate is checked against Node's own CAs.
    rejectUnauthorized: true,
  };
  if (caFile) {
    const ca = read("--mqtt-ca", caFile);
    certificateOf("--mqtt-ca", ca);
    credentials.ca = ca;
  }
  if (certFile && keyFile) {
    const cert = read("--mqtt-cert", certFile);
    const key = read("--mqtt-key", keyFile);
    if (!certificateOf("--mqtt-cert", cert).checkPrivateKey(privateKeyOf(key)))
      throw new SetupError("UNREADABLE", "--mqtt-key: not the key of the --mqtt-cert certificate");
    credentials.cert = cert;
    credentials.key = key;
  }
  if (username && passwordFile) {
    const password = read("--mqtt-password-file", passwordFile)
      .toString("utf8")
      .replace(/\r?\n$/, "");
    if (password === "") throw new SetupError("UNREADABLE", "--mqtt-password-file: empty");
    credentials.username = username;
    credentials.password = Buffer.from(password, "utf8");
  }
  return credentials;
}

function read(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new SetupError("UNREADABLE", `${option}: cannot read ${file} (${reasonOf(error)})`);
  }
}

function certificateOf(option: string, pem: Buffer): X509Certificate {
  const text = pem.toString("utf8");
  try {
    if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new Error("no certificate");
    return new X509Certificate(pem);
  } catch {
    throw new SetupError("UNREADABLE", `${option}: not a PEM certificate`);
  }
}

function privateKeyOf(pem: Buffer): KeyObject {
  const text = pem.toString("utf8");
  if (text.includes("ENCRYPTED"))
    throw new SetupError(
      "UNREADABLE",
      "--mqtt-key: encrypted; central needs it unencrypted (0600)",
    );
  try {
    if (!text.includes("PRIVATE KEY-----")) throw new Error("no key");
    return createPrivateKey(pem);
  } catch {
    throw new SetupError("UNREADABLE", "--mqtt-key: not a PEM private key");
  }
}
