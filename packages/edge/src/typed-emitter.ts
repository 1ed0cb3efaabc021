/** A minimal typed event emitter: listeners are called in order, synchronously. */
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof Events, Array<Events[keyof Events]>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): this {
    const list = this.listeners.get(event);
    if (list)
      this.listeners.set(
        event,
        list.filter((l) => l !== listener),
      );
    return this;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of list) (listener as (...a: Parameters<Events[K]>) => void)(...args);
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
