import type { CompiledSchedule } from "../schedule/compiled-schedule.js";
import { CARD_STATUSES, type DoorPolicy, type SitePolicy } from "../state/model.js";
import type { CredentialMap } from "./credential-map.js";
import type { IdMap } from "./id-map.js";
import type { IndexOverlay } from "./overlay.js";
import type { ScheduleRows } from "./table-readers.js";

/** Card statuses as stored in the index (one byte each): their position in the model's list. */
export { CARD_STATUSES };

/** A half-open interval bound: absent `validFrom`/`validUntil` are -Infinity/+Infinity. */
export const OPEN_START = Number.NEGATIVE_INFINITY;
export const OPEN_END = Number.POSITIVE_INFINITY;

export interface AreaEntry {
  readonly id: number;
  readonly name: string;
  /** Certificate type codes (see `certificateTypes`) the area needs. */
  readonly requiredCertificates: Int32Array;
}

export interface DoorPolicyEntry extends DoorPolicy {
  readonly unlockSchedule: CompiledSchedule | undefined;
}

/**
 * Everything `decide()` reads, in flat typed arrays: built once from the store after
 * each apply and then never changed, so a decision sees one whole state. Slots are
 * array positions; one-to-many relations are ranges (`xStart[slot]..xStart[slot + 1]`).
 */
export interface AccessIndex {
  readonly site: string;
  readonly version: number;
  readonly sitePolicy: SitePolicy;
  readonly doorPolicies: ReadonlyMap<string, DoorPolicyEntry>;

  readonly formatIds: ReadonlyMap<string, number>;
  readonly credentials: CredentialMap;
  readonly rawCredentials: ReadonlyMap<string, number>;
  readonly cardIds: IdMap;
  readonly cardId: Float64Array;
  readonly cardPerson: Int32Array;
  readonly cardStatus: Uint8Array;
  readonly cardFrom: Float64Array;
  readonly cardUntil: Float64Array;

  readonly personIds: IdMap;
  readonly personId: Float64Array;
  /** A person's employments are the employment slots personEmploymentStart[p]..[p + 1]. */
  readonly personEmploymentStart: Int32Array;
  readonly personCertificateStart: Int32Array;

  readonly employmentId: Float64Array;
  readonly employmentStart: Float64Array;
  readonly employmentEnd: Float64Array;
  readonly employmentAuthorizationStart: Int32Array;

  readonly authorizationId: Float64Array;
  readonly authorizationArea: Int32Array;
  readonly authorizationFrom: Float64Array;
  readonly authorizationUntil: Float64Array;
  readonly authorizationSchedule: Int32Array;

  readonly certificateId: Float64Array;
  readonly certificateType: Int32Array;
  readonly certificateFrom: Float64Array;
  readonly certificateUntil: Float64Array;
  readonly certificateTypes: readonly string[];

  readonly areaIds: IdMap;
  readonly areas: readonly AreaEntry[];
  readonly schedules: readonly CompiledSchedule[];
  /** The rows the schedules and door policies were compiled from (they cross threads). */
  readonly scheduleRows: ScheduleRows;

  /** card id -> 1 when a fingerprint is enrolled with that card. */
  readonly enrolledCards: IdMap;
  /** person id -> 1 when the person has any fingerprint enrolled. */
  readonly enrolledPersons: IdMap;
  /** What could not be taken into the index as it was (logged by the owner). */
  readonly problems: readonly string[];
  /**
   * Changes to existing records that came by delta after this index was built: decide()
   * reads them over the arrays until a rebuilt index takes them in (see overlay.ts).
   */
  readonly overlay?: IndexOverlay;
}

/** Holds the index in force; a swap replaces it whole, between two decisions. */
export class IndexHolder {
  private index: AccessIndex;
  constructor(initial: AccessIndex) {
    this.index = initial;
  }
  get current(): AccessIndex {
    return this.index;
  }
  swap(next: AccessIndex): AccessIndex {
    const previous = this.index;
    this.index = next;
    return previous;
  }
}
