import { EventStore } from "../../src/service/event-store.js";
import { tempDbPath } from "../support/fixture.js";
import {
  actors,
  seedActiveCard,
  seedAuthorization,
  seedEmployment,
  seedEntry,
  type WorkflowFixture,
} from "./workflow-support.js";

let seq = 0;

/** A real event file, as central keeps the edges' events. */
export function eventStore(): EventStore {
  return new EventStore(tempDbPath());
}

/** An access decision as an edge reports it (state ids). */
export function decision(
  f: WorkflowFixture,
  e: { doorId: string; cardId: number; personId: number; outcome: "grant" | "deny"; at?: number },
  reason = e.outcome === "deny" ? "NO_AUTHORIZATION" : undefined,
) {
  return {
    seq: ++seq,
    at: e.at ?? f.clock.now(),
    type: "access-decision",
    doorId: e.doorId,
    readerId: "r1",
    payloadJson: JSON.stringify({
      cardId: e.cardId,
      personId: e.personId,
      outcome: e.outcome,
      ...(reason === undefined ? {} : { reason }),
      stateVersion: 1,
    }),
  };
}

export function enrolled(f: WorkflowFixture, personId: number, cardId: number, at?: number) {
  return {
    seq: ++seq,
    at: at ?? f.clock.now(),
    type: "fingerprint-enrolled",
    doorId: "d1",
    readerId: "r1",
    payloadJson: JSON.stringify({ personId, cardId }),
  };
}

/** Door d1 of ams01 into the fixture's area, registered directly. */
export async function seedDoor(f: WorkflowFixture, doorId = "d1", areaId = f.area): Promise<void> {
  await f.ctx.db
    .insertInto("iam_door")
    .values({ site_id: f.site, door_id: doorId, area_id: areaId, name: `Door ${doorId}` })
    .execute();
}

/** An engineer of company A with an active card and an authorization for the fixture's area. */
export async function seedEngineer(f: WorkflowFixture, surname = "Jansen") {
  const employment = await seedEmployment(f, f.companyA, { surname });
  const card = await seedActiveCard(f, employment);
  const entryId = await seedEntry(f, { code: `AMS-${surname}-${employment.employmentId}` }, [
    f.companyA,
  ]);
  const authorization = await seedAuthorization(f, employment, entryId);
  return { ...employment, ...card, entryId, ...authorization };
}

export const helpdesk = actors.helpdesk;
