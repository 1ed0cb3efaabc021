/** How the sync parts publish: through the SyncClient's MQTT connection. */
export interface Link {
  /** Connected to the broker now. */
  readonly connected: boolean;
  /**
   * Publishes `payload`; false (nothing sent) when not connected. QoS 1 messages are
   * not kept across a reconnect by the link: each part sends again what still matters.
   */
  publish(topic: string, payload: Uint8Array, options: PublishOptions): boolean;
}

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}
