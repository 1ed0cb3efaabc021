import type { Generated } from "kysely";

/**
 * Certificates (source chapter 8), registered by a training institute only. Each is linked
 * to its state row (`certificate`, migration 1): areas that require the type refuse at the
 * doors once it lapses, and central ends the authorizations that need it at that moment.
 */
export const CERTIFICATES_SQL = `
CREATE TABLE iam_certificate (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES iam_person(id),
  type TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  state_certificate_id INTEGER NOT NULL UNIQUE REFERENCES certificate(id),
  registered_by TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  -- Withdrawn by the institute (a mistake, a fraud): counts as lapsed from then.
  withdrawn_at INTEGER,
  CHECK (valid_until > valid_from)
) STRICT;
CREATE INDEX iam_certificate_person ON iam_certificate(person_id, type);
`;

export interface IamCertificateTable {
  id: Generated<number>;
  person_id: number;
  type: string;
  valid_from: number;
  valid_until: number;
  state_certificate_id: number;
  registered_by: string;
  registered_at: number;
  withdrawn_at: number | null;
}

export interface CertificateTables {
  iam_certificate: IamCertificateTable;
}
