import { parseArgs } from "node:util";
import { SerialTransport } from "@acs/serial-transport";
import pino from "pino";
import { systemClock } from "../clock.js";
import { ConfigError, loadSiteConfig } from "../config/site-config.js";
import { Accessd } from "../daemon/accessd.js";

const USAGE = "usage: accessd --config SITE.json";

/** The composition root: real clock, real serial ports, pino to stdout. */
export async function main(argv: string[]): Promise<number> {
  let configPath: string | undefined;
  try {
    configPath = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: true })
      .values.config;
  } catch (err) {
    process.stderr.write(`accessd: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!configPath) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: ReturnType<typeof loadSiteConfig>;
  try {
    config = loadSiteConfig(configPath);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`accessd: invalid configuration\n${err.message}\n`);
    return 2;
  }
  // Asynchronous log writes: a synchronous write to a pipe can wake its reader and take the
  // CPU in the middle of a card-to-relay path. The outbox, not the log, is the durable record.
  const destination = pino.destination({ sync: false });
  const log = pino({ level: config.log.level, base: { site: config.site } }, destination);
  const daemon = new Accessd(config, {
    clock: systemClock,
    log,
    transportFor: (bus) =>
      new SerialTransport({
        path: bus.device,
        baudRate: bus.baudRate,
        onHandlerError: (err, handler) =>
          log.error(
            { err: err.message, bus: bus.id, handler },
            "a serial handler threw; caught before it reached native code",
          ),
      }),
  });
  await daemon.start();
  log.info({ doors: config.doors.length, buses: config.buses.length }, "accessd running");
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, "shutting down");
      daemon.stop().then(resolve, (err: unknown) => {
        log.error({ err }, "shutdown failed");
        resolve();
      });
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("exit", () => destination.flushSync());
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
  return 0;
}
