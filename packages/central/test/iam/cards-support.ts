import { afterEach, beforeEach, expect } from "vitest";
import type { Actor } from "../../src/iam/actor.js";
import { CardService } from "../../src/iam/cards/service.js";
import { IamError } from "../../src/iam/errors.js";
import { actors, type WorkflowFixture, workflowFixture } from "./workflow-support.js";

/**
 * The card tests' set-up: a fresh workflow fixture and card service for every test (hooks
 * registered by the call), and the steps and look-ups the tests share.
 */
export function cardTestbed() {
  let f: WorkflowFixture;
  let cards: CardService;

  beforeEach(async () => {
    f = await workflowFixture();
    cards = new CardService(f.ctx);
  });
  afterEach(() => f.close());

  async function refusal(promise: Promise<unknown>): Promise<IamError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IamError);
    return error as IamError;
  }

  function stateCard(id: number | null) {
    return f.commands.store.db
      .prepare(
        "SELECT person_id, format, facility, number, status, valid_until FROM card WHERE id = ?",
      )
      .get(id) as
      | {
          person_id: number;
          format: string;
          facility: number;
          number: number;
          status: string;
          valid_until: number;
        }
      | undefined;
  }

  /** The newest unsent notifications of `template` (the code is read from the outbox). */
  function outbox(template: string): { recipient: string; parameters: Record<string, string> }[] {
    const rows = f.commands.store.db
      .prepare(
        "SELECT recipient, parameters FROM iam_notification_outbox WHERE template = ? ORDER BY id",
      )
      .all(template) as { recipient: string; parameters: string }[];
    return rows.map((r) => ({ recipient: r.recipient, parameters: JSON.parse(r.parameters) }));
  }
  const lastCode = (): string => outbox("card-activation-code").at(-1)?.parameters.code ?? "";

  async function request(
    seeded: { employmentId: number },
    by: Actor = f.partnerA,
    kind: "access" | "pop" = "access",
  ) {
    const preview = await cards.previewRequest(by, seeded.employmentId);
    return cards.requestCard(by, seeded.employmentId, {
      kind,
      confirmedAddressVersion: preview.addressVersion,
    });
  }

  async function shipped(seeded: { employmentId: number }, kind: "access" | "pop" = "access") {
    const card = await request(seeded, f.partnerA, kind);
    await cards.approve(actors.manager, card.id);
    await cards.produce(actors.admin, card.id);
    return cards.ship(actors.admin, card.id);
  }

  return { current: () => ({ f, cards }), refusal, stateCard, outbox, lastCode, request, shipped };
}
