import type { PassbackView } from "../decision/decide.js";

/**
 * Where people are, as far as this site's doors saw them: the last use of each door per
 * person (timed anti-passback) and whether a person is inside each area (entry/exit
 * anti-passback). Fed by granted passages; read by decide().
 */
export class PassbackTracker implements PassbackView {
  private readonly lastUses = new Map<string, number>();
  private readonly presence = new Map<string, boolean>();

  lastUse(personId: number, doorId: string): number | undefined {
    return this.lastUses.get(`${personId}|${doorId}`);
  }

  inside(personId: number, areaId: number): boolean | undefined {
    return this.presence.get(`${personId}|${areaId}`);
  }

  record(
    personId: number,
    doorId: string,
    areaId: number,
    direction: "entry" | "exit",
    at: number,
  ): void {
    this.lastUses.set(`${personId}|${doorId}`, at);
    this.presence.set(`${personId}|${areaId}`, direction === "entry");
  }

  /** An operator's reset (e.g. after a fire evacuation): nobody is known to be anywhere. */
  clear(): void {
    this.lastUses.clear();
    this.presence.clear();
  }
}
