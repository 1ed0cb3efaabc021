/**
 * Every reason a door can refuse, in the order decide() checks them (../DESIGN "The edge
 * decision"). Codes are stable: events, logs, central's helpdesk and tests rely on them.
 */
export const DENY_REASONS = [
  "UNREADABLE_CREDENTIAL",
  "UNKNOWN_CARD",
  "CARD_LOST",
  "CARD_STOLEN",
  "CARD_DEFECTIVE",
  "CARD_REPLACED",
  "CARD_EXPIRED",
  "CARD_NOT_ACTIVATED",
  "CARD_NOT_YET_VALID",
  "CARD_INACTIVE",
  "NO_EMPLOYMENT",
  "EMPLOYMENT_NOT_STARTED",
  "EMPLOYMENT_ENDED",
  "NO_AUTHORIZATION",
  "AUTHORIZATION_NOT_YET_VALID",
  "AUTHORIZATION_EXPIRED",
  "OUTSIDE_SCHEDULE",
  "CERTIFICATE_MISSING",
  "CERTIFICATE_LAPSED",
  "DOOR_LOCKED_DOWN",
  "DOOR_LOCKED",
  "ANTI_PASSBACK",
  "FINGERPRINT_NOT_ENROLLED",
  "FINGERPRINT_NOT_ENROLLED_FOR_CARD",
  "FINGERPRINT_NO_MATCH",
  "FINGERPRINT_TIMEOUT",
] as const;

export type DenyReason = (typeof DENY_REASONS)[number];

/** The sentence a support desk reads for each reason; `{x}` are filled from the details. */
export const REASON_TEXT: Record<DenyReason, string> = {
  UNREADABLE_CREDENTIAL:
    "The card could not be read ({detail}); present it again or check the reader.",
  UNKNOWN_CARD: "This card is not known at this site.",
  CARD_LOST: "The card was reported lost and is blocked.",
  CARD_STOLEN: "The card was reported stolen and is blocked.",
  CARD_DEFECTIVE: "The card was reported defective and is blocked; a replacement is needed.",
  CARD_REPLACED: "The card has been replaced by a newer card; use the new card.",
  CARD_EXPIRED: "The card has expired.",
  CARD_NOT_ACTIVATED: "The card has not been activated yet (activation code).",
  CARD_NOT_YET_VALID: "The card is not valid yet.",
  CARD_INACTIVE: "The card is not active.",
  NO_EMPLOYMENT: "The card holder has no employment with a partner.",
  EMPLOYMENT_NOT_STARTED: "The card holder's employment has not started yet.",
  EMPLOYMENT_ENDED: "The card holder's employment has ended.",
  NO_AUTHORIZATION: "No authorization for area {area} through an active employment.",
  AUTHORIZATION_NOT_YET_VALID: "The authorization for area {area} is not valid yet.",
  AUTHORIZATION_EXPIRED: "The authorization for area {area} has expired.",
  OUTSIDE_SCHEDULE: "The authorization for area {area} does not allow access at this time.",
  CERTIFICATE_MISSING:
    "Area {area} requires a valid {certificate} certificate; none is registered.",
  CERTIFICATE_LAPSED: "Area {area} requires a valid {certificate} certificate; it has lapsed.",
  DOOR_LOCKED_DOWN: "The door is in lockdown.",
  DOOR_LOCKED: "The door is locked for everyone.",
  ANTI_PASSBACK:
    "Anti-passback: the card was already used to enter and has not left (or was used here too recently).",
  FINGERPRINT_NOT_ENROLLED:
    "A fingerprint check is required but no fingerprint is enrolled; enroll on site with a valid ID.",
  FINGERPRINT_NOT_ENROLLED_FOR_CARD:
    "A fingerprint check is required but the fingerprint was enrolled with another (earlier) card; a new card needs a new enrollment.",
  FINGERPRINT_NO_MATCH: "The fingerprint did not match the one enrolled for this card.",
  FINGERPRINT_TIMEOUT: "No finger was presented in time.",
};

export function reasonText(
  reason: DenyReason,
  details: Readonly<Record<string, string>> = {},
): string {
  return REASON_TEXT[reason].replace(/\{(\w+)\}/g, (_, key: string) => details[key] ?? "?");
}
