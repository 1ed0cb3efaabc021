/** Records of a state file, as the demos and end-to-end tests write them. */

/** An H10301 card of facility 18 whose number is its id. */
export function h10301Card(id: number, personId: number, status = "active") {
  return { id, personId, format: "H10301", facility: 18, number: id, status };
}

/** The parts of a state file every small test site leaves empty or default. */
export const EMPTY_STATE_PARTS = {
  sitePolicy: { fingerprintRequired: false, fingerprintThreshold: 60 },
  doorPolicies: [],
  schedules: [],
  holidayCalendars: [],
  certificates: [],
} as const;
