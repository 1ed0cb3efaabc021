export { KeyService } from "./keys.js";
export type { Delegation, KeyIssue, Refusal, RequestItem, SubmissionResult } from "./model.js";
export { RequestRefusedError } from "./refusals.js";
export { RequestService } from "./service.js";
