import { AccountService } from "../iam/accounts/service.js";
import { openIamDb } from "../iam/db.js";
import { IamError, IamValidationError } from "../iam/errors.js";
import type { Context } from "./args.js";
import { UsageError } from "./args.js";

/**
 * `admin create`: the first wholesale administrator of a new installation. Prints the
 * invitation token (the operator hands it over; it sets the password through
 * POST /auth/password-reset/confirm). Refused once an administrator exists.
 */
export async function adminCreate(ctx: Context): Promise<number> {
  const { username, email, mobile } = ctx.values;
  if (!username || !email || !mobile) {
    throw new UsageError("admin create needs --username, --email and --mobile");
  }
  const accounts = new AccountService({ db: openIamDb(ctx.store.db), clock: ctx.store.clock });
  try {
    const { account, invitationToken } = await accounts.bootstrapAdmin({
      username,
      email,
      mobile,
    });
    ctx.out(`wholesale administrator ${account.username} created (account ${account.id})`);
    ctx.out(`invitation token (single use; set the password with it): ${invitationToken}`);
    return 0;
  } catch (error) {
    if (error instanceof IamValidationError) {
      for (const p of error.problems) ctx.out(`invalid ${p.path}: ${p.message}`);
      return 1;
    }
    if (error instanceof IamError) {
      ctx.out(`refused (${error.rule ?? error.code}): ${error.message}`);
      return 1;
    }
    throw error;
  }
}
