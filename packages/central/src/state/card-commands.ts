// A person's cards and certificates.
import type { CardStatus } from "@acs/protocol";
import Database from "better-sqlite3";
import { conflict, invalid } from "../errors.js";
import type { CommandContext } from "./command-context.js";
import {
  type AddCertificateInput,
  type IssueCardInput,
  inputSchemas,
  type Outcome,
} from "./command-inputs.js";
import { ordered, parseInput } from "./schemas.js";

/**
 * Issues a card to a person. One card per credential (CONFLICT `number` / `rawBits`); a
 * person has at most one active card (CONFLICT `status`).
 */
export function issueCard(ctx: CommandContext, input: IssueCardInput): Outcome<{ cardId: number }> {
  const v = parseInput(inputSchemas.issueCard, input);
  if (v.number === null && v.rawBits === null) {
    throw invalid("number", "a card needs a number or raw bits");
  }
  ordered(v.validFrom, v.validUntil, "validUntil");
  return ctx.command((touched) => {
    ctx.requireRow("person", v.personId, "personId", "person");
    if (v.status === "active") requireNoOtherActiveCard(ctx, v.personId, null);
    const now = ctx.clock.now();
    let cardId: number;
    try {
      cardId = ctx.insert(
        `INSERT INTO card (person_id, format, facility, number, raw_bits, status, status_reason, activated_at, valid_from, valid_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        v.personId,
        v.format,
        v.facility,
        v.number,
        v.rawBits,
        v.status,
        v.statusReason,
        v.status === "active" ? now : null,
        v.validFrom,
        v.validUntil,
      );
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === "SQLITE_CONSTRAINT_UNIQUE") {
        const field = error.message.includes("raw_bits") ? "rawBits" : "number";
        throw conflict(field, "another card has this credential");
      }
      throw error;
    }
    touched.push({ kind: "cards", id: cardId });
    return { cardId };
  });
}

/**
 * Sets a card's status (lost, stolen, defective, ... take effect at every site of its
 * holder with the next delta). Activating records `activatedAt` and needs the holder to
 * have no other active card.
 */
export function setCardStatus(
  ctx: CommandContext,
  cardId: number,
  status: CardStatus,
  reason?: string,
): Outcome {
  const v = parseInput(inputSchemas.setCardStatus, { cardId, status, reason });
  return ctx.command((touched) => {
    const card = ctx.requireRow<{ person_id: number; activated_at: number | null }>(
      "card",
      v.cardId,
      "cardId",
      "card",
    );
    if (v.status === "active") requireNoOtherActiveCard(ctx, card.person_id, v.cardId);
    const activatedAt =
      v.status === "active" && card.activated_at === null ? ctx.clock.now() : card.activated_at;
    ctx.store
      .statement("UPDATE card SET status = ?, status_reason = ?, activated_at = ? WHERE id = ?")
      .run(v.status, v.reason ?? null, activatedAt, v.cardId);
    touched.push({ kind: "cards", id: v.cardId });
    return {};
  });
}

function requireNoOtherActiveCard(
  ctx: CommandContext,
  personId: number,
  except: number | null,
): void {
  const other = ctx.one<{ id: number }>(
    "SELECT id FROM card WHERE person_id = ? AND status = 'active' AND id IS NOT ?",
    personId,
    except,
  );
  if (other !== undefined) {
    throw conflict("status", `person ${personId} already has an active card (${other.id})`);
  }
}

export function addCertificate(
  ctx: CommandContext,
  input: AddCertificateInput,
): Outcome<{ certificateId: number }> {
  const v = parseInput(inputSchemas.addCertificate, input);
  ordered(v.validFrom, v.validUntil, "validUntil");
  return ctx.command((touched) => {
    ctx.requireRow("person", v.personId, "personId", "person");
    const certificateId = ctx.insert(
      "INSERT INTO certificate (person_id, type, valid_from, valid_until) VALUES (?, ?, ?, ?)",
      v.personId,
      v.type,
      v.validFrom,
      v.validUntil,
    );
    touched.push({ kind: "certificates", id: certificateId });
    return { certificateId };
  });
}
