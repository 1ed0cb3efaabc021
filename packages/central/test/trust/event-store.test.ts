import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { EventStore } from "../../src/service/event-store.js";
import { tempDbPath } from "../support/fixture.js";

const event = (
  seq: number,
  fields: Partial<{ type: string; payloadJson: string; at: number }> = {},
) => ({
  seq,
  at: fields.at ?? Date.UTC(2026, 2, 1),
  type: fields.type ?? "card-read",
  doorId: "hall",
  readerId: "hall-in",
  payloadJson: fields.payloadJson ?? "{}",
});

describe("central's event store", () => {
  it("keys events by (site, epoch, seq): a new epoch's seq 1 is a new event", () => {
    const store = new EventStore(tempDbPath());
    expect(store.store("s", [event(1), event(2)], 10, "epoch-a")).toEqual({
      added: 2,
      quarantined: 0,
    });
    expect(store.store("s", [event(1), event(2)], 11, "epoch-a")).toEqual({
      added: 0,
      quarantined: 0,
    });
    expect(store.store("s", [event(1)], 12, "epoch-b")).toEqual({ added: 1, quarantined: 0 });
    expect(store.count("s")).toBe(3);
    store.close();
  });

  it("stores an event that is no access event quarantined, once, and never as an access event", () => {
    const store = new EventStore(tempDbPath());
    const bad = [
      event(1, { payloadJson: "{not json" }),
      event(2, { payloadJson: "[1,2]" }),
      event(3, { type: "Card Read!" }),
      event(4, { at: 5 }),
      event(5),
    ];
    expect(store.store("s", bad, 10, "e")).toEqual({ added: 5, quarantined: 4 });
    expect(store.store("s", bad, 11, "e")).toEqual({ added: 0, quarantined: 0 });
    expect(store.count("s")).toBe(1);
    expect(store.quarantined("s").map((q) => [q.seq, q.problem])).toEqual([
      [1, "payload is not JSON"],
      [2, "payload is not a JSON object"],
      [3, "type is not an event type"],
      [4, "at is not an instant between 2000 and 2100"],
    ]);
    store.close();
  });

  it("brings a file of the first schema (site, seq) to epochs, keeping its events under epoch ''", () => {
    const path = tempDbPath();
    const v1 = new Database(path);
    v1.exec(`CREATE TABLE access_event (site TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
      type TEXT NOT NULL, door_id TEXT, reader_id TEXT, payload TEXT NOT NULL, received_at INTEGER NOT NULL,
      PRIMARY KEY (site, seq)) WITHOUT ROWID`);
    v1.prepare(
      "INSERT INTO access_event VALUES ('s', 7, 1, 'card-read', NULL, NULL, '{}', 2)",
    ).run();
    v1.close();
    const store = new EventStore(path);
    expect(store.recent("s", 10)).toMatchObject([{ site: "s", epoch: "", seq: 7 }]);
    expect(store.store("s", [event(7)], 3, "new-epoch").added).toBe(1);
    expect(store.db.pragma("user_version", { simple: true })).toBe(2);
    store.close();
    // Opening again migrates nothing.
    const again = new EventStore(path);
    expect(again.count("s")).toBe(2);
    again.close();
  });
});
