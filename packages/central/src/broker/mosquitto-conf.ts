/** How clients prove who they are: a client certificate (its CN) or a password. */
export type BrokerAuth = "cert" | "password";

export interface MosquittoConfOptions {
  readonly port: number;
  /** The address the listener binds to; all interfaces when absent. */
  readonly bind?: string;
  readonly auth: BrokerAuth;
  /** Paths as the broker reads them. */
  readonly aclFile: string;
  readonly passwordFile?: string;
  readonly cafile: string;
  readonly certfile: string;
  readonly keyfile: string;
  /** Mosquitto's persistence directory (sessions and queued messages). */
  readonly dataDir: string;
  readonly header: readonly string[];
}

/**
 * The broker's mosquitto.conf: one TLS listener and nothing in clear; who may do what is
 * the ACL's. The session settings match what the sync was built and measured against
 * (test/support/mosquitto.ts).
 */
export function renderMosquittoConf(o: MosquittoConfOptions): string {
  const dataDir = o.dataDir.endsWith("/") ? o.dataDir : `${o.dataDir}/`;
  const lines = [
    ...o.header.map((h) => `# ${h}`),
    "",
    "per_listener_settings false",
    "allow_anonymous false",
    `acl_file ${o.aclFile}`,
    ...(o.auth === "password" && o.passwordFile ? [`password_file ${o.passwordFile}`] : []),
    "",
    "# Persistent sessions survive a broker restart: deltas and commands queued for an",
    "# offline edge are delivered when it is back (an edge that missed more catches up",
    "# with a snapshot; its events wait in its own outbox until central acknowledges them).",
    "persistence true",
    `persistence_location ${dataDir}`,
    "autosave_interval 10",
    "# A site offline this long takes a snapshot anyway; its session is only a queue.",
    "persistent_client_expiration 30d",
    "# No limit on a session's queue: dropping a delta would only force a snapshot later.",
    "max_queued_messages 0",
    "max_inflight_messages 64",
    "# The protocol's MAX_MESSAGE_BYTES (128 KiB): snapshots travel in 96 KiB chunks.",
    "message_size_limit 131072",
    "# Without it Nagle holds each small ack for ~40 ms: a round trip per uplink batch.",
    "set_tcp_nodelay true",
    "",
    "# The only listener: TLS. No plain MQTT port.",
    o.bind ? `listener ${o.port} ${o.bind}` : `listener ${o.port}`,
    "protocol mqtt",
    // The client id is the identity: a certificate (or password) of one edge can never
    // take over, or kick off, another edge's persistent session. A listener's option in
    // Mosquitto 2: above the first listener it would open the default one, plain, on 1883.
    "use_username_as_clientid true",
    "tls_version tlsv1.2",
    `cafile ${o.cafile}`,
    `certfile ${o.certfile}`,
    `keyfile ${o.keyfile}`,
    ...(o.auth === "cert"
      ? [
          "# Every client shows a certificate of the installation's CA; its CN is the identity.",
          "require_certificate true",
          "use_identity_as_username true",
        ]
      : [
          "# Clients check the broker's certificate and sign in with a password.",
          "require_certificate false",
        ]),
    "",
  ];
  return lines.join("\n");
}
