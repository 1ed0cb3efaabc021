import type { AccessIndex } from "./access-index.js";
import { CredentialMap, type CredentialMapData } from "./credential-map.js";
import { IdMap, type IdMapData } from "./id-map.js";
import { compileScheduleRows, doorPoliciesFrom } from "./table-readers.js";

type MapKeys =
  | "credentials"
  | "cardIds"
  | "personIds"
  | "areaIds"
  | "enrolledCards"
  | "enrolledPersons";

/**
 * An index as it crosses threads: typed arrays and plain data only. Compiled schedules and
 * door policies (objects with code) stay behind; the receiving thread compiles them again
 * from the rows read with the rest of the index.
 */
export type PortableIndex = Omit<
  AccessIndex,
  MapKeys | "schedules" | "doorPolicies" | "overlay"
> & {
  readonly credentials: CredentialMapData;
  readonly cardIds: IdMapData;
  readonly personIds: IdMapData;
  readonly areaIds: IdMapData;
  readonly enrolledCards: IdMapData;
  readonly enrolledPersons: IdMapData;
};

/** The portable form of an index and the buffers to transfer (not copy) with it. */
export function toPortable(index: AccessIndex): {
  portable: PortableIndex;
  transfer: ArrayBuffer[];
} {
  const { schedules: _schedules, doorPolicies: _doorPolicies, overlay: _overlay, ...rest } = index;
  const portable: PortableIndex = {
    ...rest,
    credentials: index.credentials.data(),
    cardIds: index.cardIds.data(),
    personIds: index.personIds.data(),
    areaIds: index.areaIds.data(),
    enrolledCards: index.enrolledCards.data(),
    enrolledPersons: index.enrolledPersons.data(),
  };
  const transfer = new Set<ArrayBuffer>();
  const collect = (value: unknown): void => {
    if (ArrayBuffer.isView(value)) transfer.add(value.buffer as ArrayBuffer);
    else if (value && typeof value === "object" && !(value instanceof Map))
      for (const v of Object.values(value)) collect(v);
  };
  for (const value of Object.values(portable)) collect(value);
  return { portable, transfer: [...transfer] };
}

/** Rebuilds the index from its portable form, schedules and door policies compiled here. */
export function fromPortable(portable: PortableIndex): AccessIndex {
  const problems = [...portable.problems];
  const schedules = compileScheduleRows(portable.scheduleRows, []);
  return {
    ...portable,
    credentials: new CredentialMap(0, portable.credentials),
    cardIds: new IdMap(0, portable.cardIds),
    personIds: new IdMap(0, portable.personIds),
    areaIds: new IdMap(0, portable.areaIds),
    enrolledCards: new IdMap(0, portable.enrolledCards),
    enrolledPersons: new IdMap(0, portable.enrolledPersons),
    schedules: schedules.compiled,
    doorPolicies: doorPoliciesFrom(portable.scheduleRows, schedules),
    problems,
  };
}
