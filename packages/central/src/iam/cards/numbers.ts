import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { IamDb } from "../db.js";
import { IamError, ruleRefused } from "../errors.js";
import type { CardKind } from "./schema.js";

/** Bits of the card-number field per Wiegand format (packages/wiegand builtin formats). */
const CARD_NUMBER_BITS: Readonly<Record<string, number>> = {
  H10301: 16,
  H10306: 16,
  H10302: 35,
  H10304: 19,
  C1000_35: 20,
  C1000_48: 23,
};

/** The highest card number `format` can carry (20 bits when the format is unknown here). */
export function maxCardNumber(format: string): number {
  return 2 ** (CARD_NUMBER_BITS[format] ?? 20) - 1;
}

/**
 * The number a produced card gets: `wanted` when free, else the next after the highest in
 * use. Access cards are numbered in the configured format and facility, checked against
 * every state card (also those issued outside the workflow), so a reader's bits name one
 * card; PoP cards in their own series on the PoP system.
 */
export async function assignCardNumber(
  trx: IamDb,
  kind: CardKind,
  place: { format: string; facility: number },
  wanted: number | undefined,
): Promise<number> {
  const max = kind === "access" ? maxCardNumber(place.format) : Number.MAX_SAFE_INTEGER;
  if (wanted !== undefined) {
    if (wanted > max) {
      throw ruleRefused(
        "CARD_NUMBER_OUT_OF_RANGE",
        `card number ${wanted} does not fit format ${place.format} (at most ${max})`,
      );
    }
    const holder = await holderOf(trx, kind, place, wanted);
    if (holder !== undefined) {
      throw new IamError(
        "CONFLICT",
        `card number ${wanted} is taken: ${holder.description}`,
        "CARD_NUMBER_TAKEN",
        { existing: holder.existing },
      );
    }
    return wanted;
  }
  const highest =
    kind === "access"
      ? await sql<{ n: number | null }>`SELECT max(number) AS n FROM card
          WHERE format = ${place.format} AND facility = ${place.facility}`.execute(trx)
      : await sql<{ n: number | null }>`SELECT max(CAST(card_number AS INTEGER)) AS n
          FROM iam_card WHERE kind = 'pop' AND card_number IS NOT NULL`.execute(trx);
  const next = (highest.rows[0]?.n ?? 0) + 1;
  if (next > max) {
    throw ruleRefused(
      "CARD_NUMBERS_EXHAUSTED",
      `facility ${place.facility} of format ${place.format} has no number after ${max}: configure another facility`,
    );
  }
  return next;
}

async function holderOf(
  trx: IamDb,
  kind: CardKind,
  place: { format: string; facility: number },
  number: number,
): Promise<{ description: string; existing: Record<string, unknown> } | undefined> {
  const card = await trx
    .selectFrom("iam_card")
    .select(["id", "status"])
    .where("kind", "=", kind)
    .where("card_number", "=", String(number))
    .executeTakeFirst();
  if (card !== undefined) {
    return {
      description: `card ${card.id} (${card.status}) holds it`,
      existing: { cardId: card.id, status: card.status },
    };
  }
  if (kind === "pop") return undefined;
  const state = await sql<{ id: number; status: string }>`SELECT id, status FROM card
    WHERE format = ${place.format} AND facility = ${place.facility} AND number = ${number}`.execute(
    trx,
  );
  const row = state.rows[0];
  if (row === undefined) return undefined;
  return {
    description: `state card ${row.id} (${row.status}) holds it`,
    existing: { stateCardId: row.id, status: row.status },
  };
}

/** A fresh single-use activation code: 8 digits from the system's CSPRNG. */
export function newActivationCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, "0");
}

/** What is stored of a code: its SHA-256, hex. */
export function hashActivationCode(code: string): string {
  return createHash("sha256").update(code, "utf8").digest("hex");
}

/** Whether `code` is the one whose hash is stored (constant time). */
export function activationCodeMatches(code: string, storedHash: string): boolean {
  const given = Buffer.from(hashActivationCode(code), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}
