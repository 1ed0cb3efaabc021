import { readFileSync } from "node:fs";
import { keyFingerprint, loadPrivateKey, type SigningKey } from "@acs/protocol";
import type { ConfigProblem } from "./site-config.js";

/**
 * The default key id of an edge's key: the site and the key's fingerprint, so two keys
 * never share an id and the id names the key it stands for. `accessctl keygen` prints it;
 * `central edge register` derives the same from the public key.
 */
export function defaultEdgeKeyId(site: string, pem: string): string {
  return `${site}-${keyFingerprint(pem)}`;
}

/**
 * Reads the edge's private key (`sync.edgeKey.privateKeyFile`): a missing or unreadable
 * file, or one that is not an Ed25519 private key in PEM, is a config problem naming the
 * field, never an exception.
 */
export function readEdgeKey(
  site: string,
  edgeKey: { readonly privateKeyFile: string; readonly keyId?: string | undefined },
  problems: ConfigProblem[],
): SigningKey | undefined {
  const path = "sync.edgeKey.privateKeyFile";
  let pem: string;
  try {
    pem = readFileSync(edgeKey.privateKeyFile, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push({
      path,
      message:
        code === "ENOENT"
          ? `${edgeKey.privateKeyFile} does not exist (make it with: accessctl keygen --site ${site} --out ${edgeKey.privateKeyFile})`
          : `${edgeKey.privateKeyFile} cannot be read (${code ?? (err as Error).message})`,
    });
    return undefined;
  }
  try {
    const privateKey = loadPrivateKey(pem);
    return { keyId: edgeKey.keyId ?? defaultEdgeKeyId(site, pem), privateKey };
  } catch {
    problems.push({
      path,
      message: `${edgeKey.privateKeyFile} is not an Ed25519 private key (PEM)`,
    });
    return undefined;
  }
}
