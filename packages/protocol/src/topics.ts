import { ProtocolError } from "./errors.js";
import { SITE_ID_PATTERN } from "./validate.js";

/**
 * The MQTT topics of the protocol (docs/topics.md). Every level is `[a-z0-9_-]`, so the
 * map works on every broker (Mosquitto, aedes, NATS and RabbitMQ MQTT, cloud brokers),
 * with MQTT 3.1.1, QoS 0/1 and payloads of at most MAX_MESSAGE_BYTES.
 */

export const TOPIC_ROOT = "acs/v1";

/** Throws ProtocolError("BAD_TOPIC") unless `site` is a site id: `^[a-z0-9_-]{1,64}$`. */
export function assertSiteId(site: string): void {
  if (typeof site !== "string" || !SITE_ID_PATTERN.test(site)) {
    throw new ProtocolError(
      "BAD_TOPIC",
      `site id ${JSON.stringify(site)}: expected 1..64 characters a-z, 0-9, _ and -`,
    );
  }
}

export type TopicKind =
  | "delta"
  | "snapshotRequest"
  | "snapshotManifest"
  | "snapshotChunk"
  | "events"
  | "eventsAck"
  | "status"
  | "command"
  | "commandResult";

export type TopicDirection = "central->edge" | "edge->central";

export interface TopicSpec {
  /** The topic below `acs/v1/sites/{site}/`. */
  readonly suffix: string;
  /** The protobuf message of the payload (proto/acs.proto). */
  readonly payload: string;
  /** The SignedEnvelope kind the payload is wrapped in, or null for a bare message. */
  readonly envelope: "delta" | "manifest" | "command" | null;
  readonly qos: 0 | 1;
  readonly retained: boolean;
  readonly direction: TopicDirection;
  /** The codec functions of the payload. */
  readonly codec: string;
}

/** The topic map: topic, payload, QoS, retained flag and direction (docs/topics.md). */
export const TOPIC_SPEC: Readonly<Record<TopicKind, TopicSpec>> = {
  delta: {
    suffix: "state/delta",
    payload: "SiteDelta",
    envelope: "delta",
    qos: 1,
    retained: false,
    direction: "central->edge",
    codec: "encodeDelta / decodeDelta",
  },
  snapshotRequest: {
    suffix: "state/snapshot-request",
    payload: "SnapshotRequest",
    envelope: null,
    qos: 1,
    retained: false,
    direction: "edge->central",
    codec: "encodeSnapshotRequest / decodeSnapshotRequest",
  },
  snapshotManifest: {
    suffix: "state/snapshot-manifest",
    payload: "SnapshotManifest",
    envelope: "manifest",
    qos: 1,
    retained: false,
    direction: "central->edge",
    codec: "encodeManifest / decodeManifest",
  },
  snapshotChunk: {
    suffix: "state/snapshot-chunk",
    payload: "SnapshotChunk",
    envelope: null,
    qos: 1,
    retained: false,
    direction: "central->edge",
    codec: "encodeChunk / decodeChunk",
  },
  events: {
    suffix: "events",
    payload: "EventBatch",
    envelope: null,
    qos: 1,
    retained: false,
    direction: "edge->central",
    codec: "encodeEventBatch / decodeEventBatch",
  },
  eventsAck: {
    suffix: "events/ack",
    payload: "EventAck",
    envelope: null,
    qos: 1,
    retained: false,
    direction: "central->edge",
    codec: "encodeEventAck / decodeEventAck",
  },
  status: {
    suffix: "status",
    payload: "EdgeStatus",
    envelope: null,
    qos: 1,
    retained: true,
    direction: "edge->central",
    codec: "encodeEdgeStatus / decodeEdgeStatus",
  },
  command: {
    suffix: "commands",
    payload: "SiteCommand",
    envelope: "command",
    qos: 1,
    retained: false,
    direction: "central->edge",
    codec: "encodeCommand / decodeCommand",
  },
  commandResult: {
    suffix: "commands/result",
    payload: "CommandResult",
    envelope: null,
    qos: 1,
    retained: false,
    direction: "edge->central",
    codec: "encodeCommandResult / decodeCommandResult",
  },
};

export const TOPIC_KINDS = Object.keys(TOPIC_SPEC) as readonly TopicKind[];

const SITES = `${TOPIC_ROOT}/sites/`;

function topicOf(kind: TopicKind): (site: string) => string {
  const suffix = TOPIC_SPEC[kind].suffix;
  return (site: string): string => {
    assertSiteId(site);
    return `${SITES}${site}/${suffix}`;
  };
}

/** The topic of each kind for a site; each throws ProtocolError("BAD_TOPIC") for a bad site id. */
export const topics: Readonly<Record<TopicKind, (site: string) => string>> = {
  /** acs/v1/sites/{site}/state/delta */
  delta: topicOf("delta"),
  /** acs/v1/sites/{site}/state/snapshot-request */
  snapshotRequest: topicOf("snapshotRequest"),
  /** acs/v1/sites/{site}/state/snapshot-manifest */
  snapshotManifest: topicOf("snapshotManifest"),
  /** acs/v1/sites/{site}/state/snapshot-chunk */
  snapshotChunk: topicOf("snapshotChunk"),
  /** acs/v1/sites/{site}/events */
  events: topicOf("events"),
  /** acs/v1/sites/{site}/events/ack */
  eventsAck: topicOf("eventsAck"),
  /** acs/v1/sites/{site}/status */
  status: topicOf("status"),
  /** acs/v1/sites/{site}/commands */
  command: topicOf("command"),
  /** acs/v1/sites/{site}/commands/result */
  commandResult: topicOf("commandResult"),
};

function filtersFor(direction: TopicDirection, site: string): string[] {
  return TOPIC_KINDS.filter((kind) => TOPIC_SPEC[kind].direction === direction).map(
    (kind) => `${SITES}${site}/${TOPIC_SPEC[kind].suffix}`,
  );
}

/**
 * What central subscribes to: every site's snapshot requests, events, status and command
 * results (`+` for the site level).
 */
export const centralSubscriptions: readonly string[] = filtersFor("edge->central", "+");

/** What the edge of `site` subscribes to: deltas, snapshot manifests and chunks, event acks, commands. */
export function edgeSubscriptions(site: string): string[] {
  assertSiteId(site);
  return [...filtersFor("central->edge", site), CENTRAL_STATUS_TOPIC];
}

/**
 * Central's retained status (signed, kind "central-status"; its last will says offline),
 * outside the sites' tree: one topic for every edge.
 */
export const CENTRAL_STATUS_TOPIC = `${TOPIC_ROOT}/central/status`;

/** What the edge of `site` publishes on: snapshot requests, events, status, command results. */
export function edgePublications(site: string): string[] {
  assertSiteId(site);
  return filtersFor("edge->central", site);
}

/** What central publishes on: every site's deltas, snapshots, acks, commands (`+`), its status. */
export const centralPublications: readonly string[] = [
  ...filtersFor("central->edge", "+"),
  CENTRAL_STATUS_TOPIC,
];

const BY_SUFFIX: ReadonlyMap<string, TopicKind> = new Map(
  TOPIC_KINDS.map((kind) => [TOPIC_SPEC[kind].suffix, kind]),
);

/** The site and kind of a topic of the map; ProtocolError("BAD_TOPIC") for any other topic. */
export function parseTopic(topic: string): { site: string; kind: TopicKind } {
  if (typeof topic !== "string" || !topic.startsWith(SITES)) {
    throw new ProtocolError("BAD_TOPIC", `topic ${JSON.stringify(topic)} is not under ${SITES}`);
  }
  const rest = topic.slice(SITES.length);
  const slash = rest.indexOf("/");
  const site = slash < 0 ? rest : rest.slice(0, slash);
  const kind = slash < 0 ? undefined : BY_SUFFIX.get(rest.slice(slash + 1));
  if (kind === undefined || !SITE_ID_PATTERN.test(site)) {
    throw new ProtocolError("BAD_TOPIC", `topic ${JSON.stringify(topic)} is not in the topic map`);
  }
  return { site, kind };
}
