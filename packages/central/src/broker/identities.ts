import { assertSiteId } from "@acs/protocol";

/**
 * The broker identities: the CN of a client certificate (the broker takes it as the
 * username, and the username as the client id) or the username of a password. The ACL
 * (acl.ts) gives each exactly the topics it needs.
 */

/** The sync service (`central serve`). */
export const CENTRAL_IDENTITY = "central";
/** The operators' tool (`central command`): commands out, results and statuses in. */
export const TOOL_IDENTITY = "central-tool";

const EDGE_PREFIX = "edge-";

/** The edge of `site`: `edge-<site>` (also its MQTT client id). */
export function edgeIdentity(site: string): string {
  assertSiteId(site);
  return `${EDGE_PREFIX}${site}`;
}

/** Whether `name` is one of the identities the ACL knows the form of. */
export function isIdentity(name: string): boolean {
  if (name === CENTRAL_IDENTITY || name === TOOL_IDENTITY) return true;
  if (!name.startsWith(EDGE_PREFIX)) return false;
  try {
    assertSiteId(name.slice(EDGE_PREFIX.length));
    return true;
  } catch {
    return false;
  }
}
