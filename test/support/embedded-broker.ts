import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";

/**
 * An MQTT broker inside this process (aedes), for the demo on a machine without one: the
 * same protocol the edges and central speak to Mosquitto or a clustered broker.
 */
export class EmbeddedBroker {
  readonly url: string;
  private readonly server: Server;
  private readonly broker: Aedes;

  private constructor(broker: Aedes, server: Server, port: number) {
    this.broker = broker;
    this.server = server;
    this.url = `mqtt://127.0.0.1:${port}`;
  }

  static async start(port = 0): Promise<EmbeddedBroker> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    return new EmbeddedBroker(
      broker,
      server,
      typeof address === "object" && address ? address.port : port,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
