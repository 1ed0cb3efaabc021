import type { Store } from "@acs/edge";

/** The site of the decision benchmark: the sizes the edge-core issue names. */
export const SIZES = {
  persons: Number(process.env.BENCH_PERSONS ?? 800_000),
  employments: Number(process.env.BENCH_EMPLOYMENTS ?? 1_000_000),
  cards: Number(process.env.BENCH_CARDS_TOTAL ?? 2_000_000),
  authorizations: Number(process.env.BENCH_AUTHORIZATIONS ?? 5_000_000),
  areas: 200,
} as const;

export const SITE = "bench-site";
const DAY = 86_400_000;

/** Card number of card `id` (H10301: 8-bit facility, 16-bit number). */
export function cardFields(id: number): { facility: number; card: number } {
  return { facility: Math.floor(id / 65536) % 256, card: id % 65536 };
}

/** Person of card `id`, employment of person, area of authorization: all by formula. */
export const personOfCard = (id: number) => ((id - 1) % SIZES.persons) + 1;
export const areaOfAuthorization = (id: number) => ((id * 7) % SIZES.areas) + 1;
/** An area person `p` is authorized for through employment `p` (authorization `p`). */
export const authorizedAreaOf = (p: number) => areaOfAuthorization(p);

/**
 * Writes the benchmark site straight into the store's tables in one transaction (the
 * state a central snapshot would leave): ~9 million rows without building them as JS
 * objects first. Statuses, ended employments, schedules and certificates are mixed in so
 * decisions take every path.
 */
export type Sizes = { [K in keyof typeof SIZES]: number };

export function writeBenchState(store: Store, now: number, sizes: Sizes = SIZES): void {
  const db = store.db;
  const many = <T extends unknown[]>(sql: string, count: number, row: (i: number) => T) => {
    const insert = db.prepare(sql);
    for (let i = 1; i <= count; i++) insert.run(...row(i));
  };
  db.transaction(() => {
    for (const t of [
      "person",
      "card",
      "employment",
      "access_authorization",
      "area",
      "certificate",
      "schedule",
    ]) {
      db.exec(`DELETE FROM ${t}`);
    }
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run("site", SITE);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run("state_version", "1");
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(
      "state_applied_at",
      String(now),
    );
    db.prepare(
      "INSERT OR REPLACE INTO site_policy (id, fingerprint_required, fingerprint_threshold) VALUES (1, 0, 60)",
    ).run();
    db.prepare(
      "INSERT INTO schedule (id, name, windows, holiday_calendar_id, holiday_windows) VALUES (1, 'Office hours', ?, NULL, '[]')",
    ).run(JSON.stringify([{ days: [1, 2, 3, 4, 5], from: "07:00", until: "19:00" }]));
    many(
      "INSERT INTO area (id, name, required_certificates) VALUES (?, ?, ?)",
      sizes.areas,
      (i) => [i, `Area ${i}`, i % 10 === 0 ? '["KVD"]' : "[]"],
    );
    many("INSERT INTO person (id, display_name) VALUES (?, ?)", sizes.persons, (i) => [i, `P${i}`]);
    many(
      'INSERT INTO employment (id, person_id, company_id, start, "end") VALUES (?, ?, ?, ?, ?)',
      sizes.employments,
      (i) => [
        i,
        ((i - 1) % sizes.persons) + 1,
        (i % 300) + 1,
        now - 400 * DAY,
        i % 50 === 0 ? now - DAY : null,
      ],
    );
    const statuses = [
      "active",
      "active",
      "active",
      "active",
      "active",
      "active",
      "active",
      "lost",
      "replaced",
      "expired",
    ];
    many(
      "INSERT INTO card (id, person_id, format, facility, number, raw_bits, status, status_reason, activated_at, valid_from, valid_until) VALUES (?, ?, 'H10301', ?, ?, NULL, ?, NULL, ?, NULL, ?)",
      sizes.cards,
      (i) => {
        const f = cardFields(i);
        return [
          i,
          ((i - 1) % sizes.persons) + 1,
          f.facility,
          f.card,
          statuses[i % 10],
          now - 100 * DAY,
          now + 400 * DAY,
        ];
      },
    );
    many(
      "INSERT INTO access_authorization (id, employment_id, area_id, valid_from, valid_until, schedule_id) VALUES (?, ?, ?, ?, ?, ?)",
      sizes.authorizations,
      (i) => [
        i,
        ((i - 1) % sizes.employments) + 1,
        areaOfAuthorization(i),
        now - 30 * DAY,
        i % 7 === 0 ? now - DAY : now + 300 * DAY,
        i % 5 === 0 ? 1 : null,
      ],
    );
    many(
      "INSERT INTO certificate (id, person_id, type, valid_from, valid_until) VALUES (?, ?, 'KVD', ?, ?)",
      sizes.persons / 2,
      (i) => [i, i * 2, now - 100 * DAY, i % 4 === 0 ? now - DAY : now + 200 * DAY],
    );
  })();
}
