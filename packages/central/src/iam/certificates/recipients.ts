import { accountDb } from "../accounts/db.js";
import type { IamDb } from "../db.js";

/**
 * Who hears about a person's certificate: the person (the e-mail of each active
 * employment) and the contact persons (partner-contact accounts) of those companies.
 * Addresses once each, in a stable order.
 */
export async function certificateRecipients(trx: IamDb, personId: number): Promise<string[]> {
  const employments = await trx
    .selectFrom("iam_employment")
    .select(["email", "company_id"])
    .where("person_id", "=", personId)
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  const companies = [...new Set(employments.map((e) => e.company_id))];
  const contacts =
    companies.length === 0
      ? []
      : await accountDb(trx)
          .selectFrom("iam_account")
          .select("email")
          .where("role", "=", "partner-contact")
          .where("company_id", "in", companies)
          .orderBy("id")
          .execute();
  return [...new Set([...employments.map((e) => e.email), ...contacts.map((c) => c.email)])];
}
