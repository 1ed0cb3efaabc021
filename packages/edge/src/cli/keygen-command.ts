import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateSigningKeyPair } from "@acs/protocol";
import { defaultEdgeKeyId } from "../config/edge-key.js";

/** A user's mistake at the keygen command line (printed without a trace). */
export class KeygenUsageError extends Error {
  readonly code = "USAGE";
}

export interface KeygenOptions {
  /** The site config: its `site` and `sync.edgeKey.privateKeyFile` (read as plain JSON). */
  readonly config?: string | undefined;
  readonly site?: string | undefined;
  readonly out?: string | undefined;
  readonly keyId?: string | undefined;
  readonly force?: boolean | undefined;
}

/** What the site config says of the key, read without the checks a daemon needs (the key may not exist yet). */
function fromConfig(path: string): { site?: string; out?: string; keyId?: string } {
  let json: { site?: unknown; sync?: { edgeKey?: { privateKeyFile?: unknown; keyId?: unknown } } };
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new KeygenUsageError(`${path}: ${(err as Error).message}`);
  }
  const edgeKey = json.sync?.edgeKey;
  return {
    ...(typeof json.site === "string" ? { site: json.site } : {}),
    ...(typeof edgeKey?.privateKeyFile === "string" ? { out: edgeKey.privateKeyFile } : {}),
    ...(typeof edgeKey?.keyId === "string" ? { keyId: edgeKey.keyId } : {}),
  };
}

/**
 * `accessctl keygen`: the edge's own Ed25519 key pair, made at provisioning. The private
 * key goes to the file the site config names (mode 0600, never overwritten unless
 * --force), the public key beside it (`.pub`), to be registered at central for the site.
 */
export function keygen(options: KeygenOptions, out: (line: string) => void): number {
  const configured = options.config ? fromConfig(options.config) : {};
  const site = options.site ?? configured.site;
  const file = options.out ?? configured.out;
  if (!site || !/^[a-z0-9_-]{1,64}$/.test(site))
    throw new KeygenUsageError(
      "keygen needs --site ID (1-64 of a-z 0-9 _ -) or --config SITE.json",
    );
  if (!file)
    throw new KeygenUsageError(
      "keygen needs --out FILE or a site config with sync.edgeKey.privateKeyFile",
    );
  if (existsSync(file) && !options.force)
    throw new KeygenUsageError(
      `${file} exists; an edge's key is not replaced unless --force is given`,
    );
  const pair = generateSigningKeyPair("edge");
  const keyId = options.keyId ?? configured.keyId ?? defaultEdgeKeyId(site, pair.publicKeyPem);
  try {
    writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(`${file}.pub`, pair.publicKeyPem, { mode: 0o644 });
  } catch (err) {
    throw new KeygenUsageError(
      `${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  out(`edge key ${keyId} of site ${site}: private key ${file} (mode 0600), public key ${file}.pub`);
  out(
    `register it at central: central --db CENTRAL.db edge register --site ${site} --public-key ${file}.pub${options.keyId ? ` --key-id ${keyId}` : ""}`,
  );
  return 0;
}
