import { createHash } from "node:crypto";
import type { IamDb } from "../db.js";
import { ruleRefused } from "../errors.js";
import { type ShippingAddress, shippingAddressOf } from "./request.js";

/**
 * The version of a shipping address: a digest of its fields. A request carries the version
 * the requester saw; when the address changed since, the request is refused (chapter 9:
 * "verifieer altijd het (verzend)adres").
 */
export function addressVersion(address: ShippingAddress): string {
  const fields = [
    address.name,
    address.street,
    address.number,
    address.addition ?? "",
    address.line2 ?? "",
    address.postcode,
    address.city,
    address.country,
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("base64url").slice(0, 22);
}

/** Refuses RULE ADDRESS_NOT_CONFIRMED unless `confirmed` is the current address's version. */
export async function checkAddressConfirmed(
  trx: IamDb,
  employmentId: number,
  confirmed: string,
): Promise<ShippingAddress> {
  const address = await shippingAddressOf(trx, employmentId);
  if (addressVersion(address) !== confirmed) {
    throw ruleRefused(
      "ADDRESS_NOT_CONFIRMED",
      `the shipping address of employment ${employmentId} is not the one confirmed: show the current address (card-request preview), correct it if needed, and confirm that version`,
    );
  }
  return address;
}
