// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import * as x509 from "@peculiar/x509";
import { isIdentity } from "./identities.js";
import { reasonOf, SetupError } from "./setup-error.js";

/**
 * A small CA for the broker's TLS: ECDSA P-256 keys, a self-signed CA certificate, server
 * certificates (serverAuth, DNS and IP SANs) and client certificates (clientAuth, the CN
 * the identity the broker's ACL knows). Node can verify certificates but not create them,
 * hence @peculiar/x509 over Node's WebCrypto.
 */

// Node's WebCrypto is the standard one; the global `Crypto` type is only in the DOM lib.
x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
/** Clocks of the edges may be a little behind central's. */
const BACKDATE_MS = 5 * 60_000;

export const CA_CERT = "ca.crt";
export const CA_KEY = "ca.key";
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_CERT_DAYS = 825;

export interface CaInitOptions {
  readonly dir: string;
  readonly days?: number;
  /** The CA's CN. */
  readonly name?: string;
  readonly now?: number;
}

export interface IssueOptions {
  readonly dir: string;
  /** The CN: a client's identity (edge-<site>, central, central-tool) or the server's name. */
  readonly name: string;
  /** A server certificate (serverAuth) for `hosts`; otherwise a client certificate. */
  readonly server?: boolean;
  /** DNS names and IP addresses of the server. */
  readonly hosts?: readonly string[];
  /** Writes `<out>.crt` and `<out>.key`. */
  readonly out: string;
  readonly days?: number;
  readonly now?: number;
}

export interface Issued {
  readonly certFile: string;
  readonly keyFile: string;
  readonly serial: string;
  readonly notAfter: Date;
}

/** `central ca init`: a CA key (mode 0600) and its self-signed certificate in `dir`. */
export async function initCa(o: CaInitOptions): Promise<Issued> {
  const certFile = join(o.dir, CA_CERT);
  const keyFile = join(o.dir, CA_KEY);
  for (const file of [keyFile, certFile])
    if (existsSync(file))
      throw new SetupError("EXISTS", `${file} exists: a CA is made once (remove it to start over)`);
  const now = o.now ?? Date.now();
  const notAfter = new Date(now + (o.days ?? DEFAULT_CA_DAYS) * DAY_MS);
  const keys = await newKeys();
  const serial = serialNumber();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${o.name ?? "acs broker CA"}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    signingAlgorithm: ALG,
    keys,
    extensions: [
      // pathLen 0: it signs the broker's and the clients' certificates, no other CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  makeDir(o.dir);
  await writeKey(keyFile, keys.privateKey);
  writeNew(certFile, cert.toString("pem"), 0o644);
  return { certFile, keyFile, serial, notAfter };
}

/** `central ca issue`: a key (mode 0600) and a certificate signed by the CA in `dir`. */
export async function issueCertificate(o: IssueOptions): Promise<Issued> {
  const hosts = o.hosts ?? [];
  if (o.server) {
    if (hosts.length === 0)
      throw new SetupError("MISSING", "a server certificate needs --host NAME|IP (one or more)");
    for (const host of hosts)
      if (!isIP(host) && !DNS_NAME.test(host))
        throw new SetupError("UNREADABLE", `--host ${host}: not a DNS name or an IP address`);
    if (!DNS_NAME.test(o.name) && !isIP(o.name))
      throw new SetupError("UNREADABLE", `--name ${o.name}: a server's name is a host name`);
  } else {
    if (hosts.length > 0) throw new SetupError("UNREADABLE", "--host is for --server certificates");
    if (!isIdentity(o.name))
      throw new SetupError(
        "UNREADABLE",
        `--name ${o.name}: a client certificate's name is an identity: edge-<site>, central or central-tool`,
      );
  }
  const ca = await loadCa(o.dir);
  const certFile = `${o.out}.crt`;
  const keyFile = `${o.out}.key`;
  for (const file of [keyFile, certFile])
    if (existsSync(file)) throw new SetupError("EXISTS", `${file} exists: remove it to issue anew`);
  const now = o.now ?? Date.now();
  // Never beyond the CA: a certificate the CA outlives by nothing would fail then anyway.
  const notAfter = new Date(
    Math.min(now + (o.days ?? DEFAULT_CERT_DAYS) * DAY_MS, ca.cert.notAfter.getTime()),
  );
  const keys = await newKeys();
  const serial = serialNumber();
  const usage = o.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${o.name}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage], false),
      ...(o.server
        ? [
            new x509.SubjectAlternativeNameExtension(
              hosts.map((host) => ({ type: isIP(host) ? "ip" : "dns", value: host }) as const),
              false,
            ),
          ]
        : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
    ],
  });
  makeDir(dirname(o.out));
  await writeKey(keyFile, keys.privateKey);
  writeNew(certFile, cert.toString("pem"), 0o644);
  return { certFile, keyFile, serial, notAfter };
}

const DNS_NAME =
  /^(?=.{1,253}$)(?:\*\.)?[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

async function loadCa(
  dir: string,
): Promise<{ cert: x509.X509Certificate; key: webcrypto.CryptoKey }> {
  const certFile = join(dir, CA_CERT);
  const keyFile = join(dir, CA_KEY);
  if (!existsSync(certFile) || !existsSync(keyFile))
    throw new SetupError("MISSING", `no CA in ${dir}: run \`central ca init --dir ${dir}\` first`);
  const certPem = readText(certFile);
  let cert: x509.X509Certificate;
  try {
    if (!new X509Certificate(certPem).ca)
      throw new SetupError("UNREADABLE", `${certFile}: not a CA certificate`);
    cert = new x509.X509Certificate(certPem);
  } catch (error) {
    if (error instanceof SetupError) throw error;
    throw new SetupError("UNREADABLE", `${certFile}: not a PEM certificate`);
  }
  let key: webcrypto.CryptoKey;
  try {
    const [der] = x509.PemConverter.decode(readText(keyFile));
    if (!der) throw new Error("no PEM block");
    key = (await webcrypto.subtle.importKey("pkcs8", der, ALG, false, [
      "sign",
    ])) as webcrypto.CryptoKey;
  } catch {
    throw new SetupError("UNREADABLE", `${keyFile}: not the CA's PEM private key (P-256)`);
  }
  return { cert, key };
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
}

/** 16 random bytes, positive (top bit clear) and without a leading zero byte. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new SetupError("UNREADABLE", `cannot read ${file} (${reasonOf(error)})`);
  }
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SetupError("UNWRITABLE", `cannot create ${dir} (${reasonOf(error)})`);
  }
}

async function writeKey(file: string, key: webcrypto.CryptoKey): Promise<void> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  writeNew(file, x509.PemConverter.encode(der, "PRIVATE KEY"), 0o600);
}

/** Writes a file that must not exist yet (`wx`), with `mode` whatever the umask. */
function writeNew(file: string, text: string, mode: number): void {
  try {
    writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`, { flag: "wx", mode });
  } catch (error) {
    const code = reasonOf(error);
    throw new SetupError(
      code === "EEXIST" ? "EXISTS" : "UNWRITABLE",
      `cannot write ${file} (${code})`,
    );
  }
}
