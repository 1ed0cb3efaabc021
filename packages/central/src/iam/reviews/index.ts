export { closeReview, REVIEW_DEADLINE_TIMER } from "./close.js";
export { canonicalJson, type EvidenceLine, evidenceCsv, type ReviewEvidence } from "./evidence.js";
export type { Review, ReviewDetails, ReviewLine } from "./model.js";
export { parsePeriod, periodOf, type ReviewPeriod } from "./period.js";
export { REVIEW_TIMERS, ReviewService, scheduleNextReviews } from "./service.js";
