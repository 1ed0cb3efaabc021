import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The broker credentials of a site config's `sync` section: the files it names are read
 * and checked at start-up, so a missing file or a bad PEM is a config problem with the
 * path of its field rather than a TLS error at the first connect (or a stack trace).
 */

/** The part of the sync section this reads (SyncSchema in site-config.ts). */
export interface SyncCredentialsConfig {
  readonly mqttUrl: string;
  readonly tls?: {
    readonly caFile: string;
    readonly certFile?: string | undefined;
    readonly keyFile?: string | undefined;
    readonly servername?: string | undefined;
  };
  readonly auth?: { readonly username: string; readonly passwordFile: string };
}

/** What the sync client's `mqtt` option takes (mqtt.js options; the password never logged). */
export interface MqttCredentials {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized?: boolean;
  readonly username?: string;
  readonly password?: Buffer;
}

export interface SyncCredentials {
  readonly mqtt: MqttCredentials;
  /** Problems, each with the path of its field (`sync.tls.certFile`, ...). */
  readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  /**
   * What works but is probably wrong (an expiring certificate, another identity): logged.
   * Not a config problem, because the daemon must keep deciding at the doors without central.
   */
  readonly warnings: readonly string[];
}

/** A certificate's subject CN, or undefined. */
export function commonName(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text (a CA file may hold several); empty if none parses. */
export function pemCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of text.match(PEM_CERT) ?? []) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      return [];
    }
  }
  return out;
}

const DAY_MS = 86_400_000;

/**
 * Reads and checks the files of `sync.tls` and `sync.auth` for the site `site`; `at` is
 * the path of the sync section in the config.
 */
export function readSyncCredentials(
  sync: SyncCredentialsConfig,
  site: string,
  at = "sync",
  now: number = Date.now(),
): SyncCredentials {
  const problems: Array<{ path: string; message: string }> = [];
  const warnings: string[] = [];
  const problem = (path: string, message: string) =>
    problems.push({ path: `${at}.${path}`, message });
  const read = (path: string, file: string): Buffer | undefined => {
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      problem(path, `cannot read ${file} (${code})`);
      return undefined;
    }
  };
  const identity = `edge-${site}`;
  const mqtt: { -readonly [K in keyof MqttCredentials]: MqttCredentials[K] } = {};
  const secure = sync.mqttUrl.startsWith("mqtts://");
  const { tls, auth } = sync;
  if (secure && !tls) problem("tls.caFile", "an mqtts:// URL needs the broker's CA (tls.caFile)");
  if (tls && !secure) problem("mqttUrl", "sync.tls needs an mqtts:// URL");
  if (auth && !secure)
    problem("auth", "a password goes only over TLS: an mqtts:// URL with tls.caFile");
  if (tls) {
    mqtt.rejectUnauthorized = true;
    if (tls.servername !== undefined) mqtt.servername = tls.servername;
    const ca = read("tls.caFile", tls.caFile);
    if (ca) {
      if (pemCertificates(ca.toString("utf8")).length === 0)
        problem("tls.caFile", "not a PEM certificate");
      else mqtt.ca = ca;
    }
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      const missing = tls.certFile === undefined ? "certFile" : "keyFile";
      problem(`tls.${missing}`, "tls.certFile and tls.keyFile go together");
    } else if (tls.certFile !== undefined && tls.keyFile !== undefined) {
      const certText = read("tls.certFile", tls.certFile);
      const keyText = read("tls.keyFile", tls.keyFile);
      const cert = certText ? pemCertificates(certText.toString("utf8"))[0] : undefined;
      if (certText && !cert) problem("tls.certFile", "not a PEM certificate");
      const key = keyText ? privateKey(keyText, (m) => problem("tls.keyFile", m)) : undefined;
      if (cert && key && !cert.checkPrivateKey(key))
        problem("tls.keyFile", "not the key of the certificate in tls.certFile");
      if (cert && key && certText && keyText) {
        mqtt.cert = certText;
        mqtt.key = keyText;
        const cn = commonName(cert);
        if (cn !== identity)
          warnings.push(
            `the client certificate is issued to ${cn ?? "no CN"}; the broker's ACL knows this site as ${identity}`,
          );
        const left = Date.parse(cert.validTo) - now;
        if (left < 0) warnings.push(`the client certificate expired on ${cert.validTo}`);
        else if (left < 30 * DAY_MS)
          warnings.push(`the client certificate expires on ${cert.validTo}`);
      }
    }
  }
  if (auth) {
    const bytes = read("auth.passwordFile", auth.passwordFile);
    // One line; its line end is not part of the password (an editor adds one).
    const password = bytes?.toString("utf8").replace(/\r?\n$/, "");
    if (bytes && !password) problem("auth.passwordFile", "empty");
    else if (password !== undefined && /[\r\n]/.test(password))
      problem("auth.passwordFile", "more than one line");
    else if (password !== undefined) {
      mqtt.username = auth.username;
      mqtt.password = Buffer.from(password, "utf8");
    }
    if (auth.username !== identity)
      warnings.push(
        `sync.auth.username is ${auth.username}; the broker's ACL knows this site as ${identity}`,
      );
  }
  return { mqtt, problems, warnings };
}

function privateKey(pem: Buffer, problem: (message: string) => void): KeyObject | undefined {
  const text = pem.toString("utf8");
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    // A daemon that starts unattended has nobody to type the passphrase.
    problem("an encrypted private key: accessd needs it unencrypted (keep the file mode 0600)");
    return undefined;
  }
  if (!text.includes("PRIVATE KEY-----")) {
    problem("not a PEM private key");
    return undefined;
  }
  try {
    return createPrivateKey(pem);
  } catch {
    problem("not a PEM private key");
    return undefined;
  }
}
