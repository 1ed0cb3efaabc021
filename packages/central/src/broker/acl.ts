import {
  CENTRAL_STATUS_TOPIC,
  centralPublications,
  centralSubscriptions,
  edgePublications,
  edgeSubscriptions,
  TOPIC_SPEC,
  type TopicKind,
} from "@acs/protocol";
import { CENTRAL_IDENTITY, edgeIdentity, TOOL_IDENTITY } from "./identities.js";

/** What one identity may read (subscribe to, receive) and write (publish, its last will). */
export interface Grant {
  readonly identity: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/**
 * Every identity's grants, from the protocol's own lists (never by hand, so a new topic
 * cannot be forgotten here): an edge reads and writes only its own site's topics.
 */
export function grants(sites: readonly string[]): Grant[] {
  // The `+` filters of one kind, as central itself holds or publishes them.
  const ofKind = (filters: readonly string[], ...kinds: TopicKind[]) =>
    filters.filter((f) => kinds.some((kind) => f.endsWith(`/+/${TOPIC_SPEC[kind].suffix}`)));
  return [
    {
      identity: CENTRAL_IDENTITY,
      read: [...centralSubscriptions],
      write: [...centralPublications],
    },
    {
      identity: TOOL_IDENTITY,
      read: [...ofKind(centralSubscriptions, "commandResult", "status"), CENTRAL_STATUS_TOPIC],
      write: ofKind(centralPublications, "command"),
    },
    ...sites.map((site) => ({
      identity: edgeIdentity(site),
      read: edgeSubscriptions(site),
      write: edgePublications(site),
    })),
  ];
}

/** The ACL file: one `user` block per identity; nothing for anyone else. */
export function renderAcl(sites: readonly string[], header: readonly string[]): string {
  const lines = [
    ...header.map((h) => `# ${h}`),
    "# No lines before the first `user`: a client without an identity gets nothing.",
    "",
  ];
  for (const grant of grants(sites)) {
    lines.push(`user ${grant.identity}`);
    for (const filter of grant.read) lines.push(`topic read ${filter}`);
    for (const filter of grant.write) lines.push(`topic write ${filter}`);
    lines.push("");
  }
  return lines.join("\n");
}
