/**
 * The largest MQTT payload this protocol ever sends or accepts. Every broker the system
 * may run on (Mosquitto, aedes, NATS and RabbitMQ MQTT, cloud brokers) takes it, with room
 * for the topic and the MQTT header.
 */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/**
 * Bytes of encoded SiteState per snapshot chunk: a chunk with its header (site, version,
 * request id, index) stays well below MAX_MESSAGE_BYTES. Also the default size budget of
 * a delta (splitDelta), so a signed delta stays below MAX_MESSAGE_BYTES too.
 */
export const CHUNK_BYTES = 96 * 1024;
