import type { Migration } from "../state/migrations.js";
import { CARDS_SQL } from "./cards/schema.js";
import { CATALOGUE_SQL } from "./catalogue/schema.js";
import { CERTIFICATES_SQL } from "./certificates/schema.js";
import { HELPDESK_SQL } from "./helpdesk/schema.js";
import { PERSONS_SQL } from "./persons/schema.js";
import { REQUESTS_SQL } from "./requests/schema.js";
import { REVIEWS_SQL } from "./reviews/schema.js";
import { TIMERS_SQL } from "./timers/schema.js";

/** The IAM workflow's tables: each part lives next to the module that owns it. */
export const WORKFLOW_MIGRATION: Migration = {
  version: 4,
  description:
    "IAM workflow: persons, employments, cards, catalogue and profiles, requests and authorizations, keys, delegation, certificates, reviews, doors and enrollments, durable timers",
  sql: [
    PERSONS_SQL,
    CARDS_SQL,
    CATALOGUE_SQL,
    REQUESTS_SQL,
    CERTIFICATES_SQL,
    REVIEWS_SQL,
    HELPDESK_SQL,
    TIMERS_SQL,
  ].join("\n"),
};
