import { expect } from "vitest";
import type { Actor } from "../../src/iam/actor.js";
import { RequestRefusedError } from "../../src/iam/requests/refusals.js";
import type { RequestService } from "../../src/iam/requests/service.js";
import { seedActiveCard, seedEmployment, type WorkflowFixture } from "./workflow-support.js";

/** An engineer of company A (or `companyId`) with an active card. */
export async function engineer(f: WorkflowFixture, companyId = f.companyA) {
  const seeded = await seedEmployment(f, companyId);
  await seedActiveCard(f, seeded);
  return seeded;
}

export async function refusalOf(promise: Promise<unknown>): Promise<RequestRefusedError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RequestRefusedError);
  return error as RequestRefusedError;
}

/** Adds, motivates and submits one grant as partner A (or `as`); returns the pending item. */
export async function pendingGrant(
  f: WorkflowFixture,
  requests: RequestService,
  employmentId: number,
  entryId: number,
  as: Actor = f.partnerA,
) {
  const [item] = await requests.addItems(as, {
    employmentIds: [employmentId],
    entryId,
    action: "grant",
  });
  if (item === undefined) throw new Error("nothing added");
  await requests.setMotivation(as, item.id, "Storing in de apparatuurzaal");
  const { items } = await requests.submit(as);
  return items.find((i) => i.id === item.id) ?? item;
}
