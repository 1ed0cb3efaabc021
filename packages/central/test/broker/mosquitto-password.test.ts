import { describe, expect, it } from "vitest";
import {
  hashPassword,
  newPassword,
  parsePasswordFile,
  verifyPassword,
} from "../../src/broker/mosquitto-password.js";

// Written by mosquitto_passwd 2.0.11: `mosquitto_passwd -c -b FILE alice 'p@ss w0rd'`.
const FROM_MOSQUITTO_PASSWD =
  "$7$101$feV3hE95tPx4dWb1$S73pikxeB/hKHUjUxpS67jBwHgWf6p+b8oTNTpvPYFno9e4UFHArk/lTbTLXxgX8jaKZJXJAQ1N/8oHBaySxcg==";

describe("Mosquitto's password hashes", () => {
  it("hashes as mosquitto_passwd does: $7$, 101 PBKDF2-SHA512 iterations, 12-byte salt", () => {
    const salt = Buffer.from("feV3hE95tPx4dWb1", "base64");
    expect(hashPassword("p@ss w0rd", salt)).toBe(FROM_MOSQUITTO_PASSWD);
    expect(verifyPassword("p@ss w0rd", FROM_MOSQUITTO_PASSWD)).toBe(true);
    expect(verifyPassword("p@ss w0rD", FROM_MOSQUITTO_PASSWD)).toBe(false);
    expect(verifyPassword("p@ss w0rd", "$6$feV3hE95tPx4dWb1$abc")).toBe(false);
  });

  it("a fresh salt every time; passwords of 32 base64url characters", () => {
    const password = newPassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newPassword()).not.toBe(password);
    const a = hashPassword(password);
    expect(a).not.toBe(hashPassword(password));
    expect(verifyPassword(password, a)).toBe(true);
  });

  it("reads a password file back", () => {
    const text = `# comment\ncentral:${FROM_MOSQUITTO_PASSWD}\n\nedge-a:$7$101$x$y\n`;
    expect([...parsePasswordFile(text)]).toEqual([
      ["central", FROM_MOSQUITTO_PASSWD],
      ["edge-a", "$7$101$x$y"],
    ]);
  });
});
