import { existsSync, readFileSync } from "node:fs";

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as the API documents them
  readonly body: any;
}

interface Sent {
  readonly template: string;
  readonly recipient: string;
  readonly parameters: Record<string, string>;
}

let keys = 0;

/**
 * A client of central's HTTP API as a portal would use it: bearer tokens from a real
 * sign-in (password, then the code texted to the account's mobile, read from the
 * development notification file), idempotency keys on creating requests.
 */
export class CentralApi {
  constructor(
    readonly base: string,
    /** The file `central serve --notifications FILE` appends SMS and e-mail to. */
    readonly notifications: string,
  ) {}

  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (method === "POST" && headers["idempotency-key"] === undefined) {
      headers["idempotency-key"] = `key-${process.pid}-${++keys}`;
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? null : JSON.parse(text),
    };
  }

  /** A call that must succeed: anything but 2xx throws with the problem's details. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as the API documents them
  async ok(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<any> {
    const answer = await this.call(method, path, { token, body, headers });
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  /** The newest notification of `template` to `recipient` sent since `after` (a count). */
  async notification(
    template: string,
    recipient: string,
    after = 0,
    timeoutMs = 10_000,
  ): Promise<Record<string, string>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.sent()
        .slice(after)
        .filter((n) => n.template === template && n.recipient === recipient)
        .at(-1);
      if (found !== undefined) return found.parameters;
      if (Date.now() > deadline) throw new Error(`no ${template} to ${recipient}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** How many notifications were sent so far (a mark for `notification`). */
  sentCount(): number {
    return this.sent().length;
  }

  private sent(): Sent[] {
    if (!existsSync(this.notifications)) return [];
    return readFileSync(this.notifications, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Sent);
  }

  /** Sets the password with the invitation e-mailed to `email` (or a token handed over). */
  async acceptInvitation(email: string, password: string, token?: string): Promise<void> {
    const invitation = token ?? (await this.notification("account-invitation", email)).token;
    await this.ok("POST", "/auth/password-reset/confirm", undefined, {
      token: invitation,
      password,
    });
  }

  /** Password, then the code texted to `mobile`: a session token. */
  async signIn(username: string, password: string, mobile: string): Promise<string> {
    const mark = this.sentCount();
    const { challengeId } = await this.ok("POST", "/auth/login", undefined, { username, password });
    const { code } = await this.notification("login-code", mobile, mark);
    const { token } = await this.ok("POST", "/auth/otp", undefined, { challengeId, code });
    return token;
  }

  /** An account created by an administrator, its invitation accepted, signed in. */
  async newAccount(
    adminToken: string,
    account: { username: string; role: string; mobile: string; email: string; companyId?: number },
    password: string,
  ): Promise<{ id: string; token: string }> {
    const created = await this.ok("POST", "/accounts", adminToken, account);
    await this.acceptInvitation(account.email, password);
    return { id: created.id, token: await this.signIn(account.username, password, account.mobile) };
  }
}
