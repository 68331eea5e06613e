/**
 * The identities of a case in the audit log, as constant SQL of kustody's own (no evidence in it):
 * each token the case captured (its exact credential id `JTI=…`, or its subject when the token has no
 * jti), then, transitively, each token one of them minted (the TokenRequest's issued credential id)
 * and each ServiceAccount one of them created (its username). Findings, the timeline and `audit who`
 * read the same set, so what one shows the others show. Pure text.
 */

const OK = 'e.response_code BETWEEN 200 AND 299';
const MINT = `e.resource = 'serviceaccounts' AND e.subresource = 'token' AND e.verb = 'create' AND e.issued_credential_id IS NOT NULL AND ${OK}`;
const CREATE_SA = `e.resource = 'serviceaccounts' AND e.subresource IS NULL AND e.verb = 'create' AND e.namespace IS NOT NULL AND e.name IS NOT NULL AND ${OK}`;
const SA_USER = "'system:serviceaccount:' || e.namespace || ':' || e.name";

/** A token's claims as stored by a capture: `{"jwt": {...}}`; anything else is not a token. */
const CLAIM = (path: string) => `CASE WHEN json_valid(claims_json) THEN json_extract(claims_json, '$.jwt.${path}') END`;

/**
 * `WITH RECURSIVE attacker(kind, value, how, audit_rowid)`: kind 'credential' (value `JTI=…`) or 'user'
 * (a username); how 'captured', 'minted' or 'created'; audit_rowid the audit row that showed it (NULL when captured).
 */
export const ATTACKER_CTE = `WITH RECURSIVE
  claims(jti, sub) AS (SELECT ${CLAIM('jti')}, ${CLAIM('sub')} FROM credentials WHERE claims_json IS NOT NULL),
  attacker(kind, value, how, audit_rowid) AS (
    SELECT 'credential', 'JTI=' || jti, 'captured', NULL FROM claims WHERE typeof(jti) = 'text' AND jti <> ''
    UNION SELECT 'user', sub, 'captured', NULL FROM claims WHERE NOT (typeof(jti) = 'text' AND jti <> '') AND typeof(sub) = 'text' AND sub <> ''
    UNION SELECT 'credential', e.issued_credential_id, 'minted', e.rowid FROM attacker a JOIN audit_events e ON e.credential_id = a.value WHERE a.kind = 'credential' AND ${MINT}
    UNION SELECT 'credential', e.issued_credential_id, 'minted', e.rowid FROM attacker a JOIN audit_events e ON e.username = a.value WHERE a.kind = 'user' AND ${MINT}
    UNION SELECT 'user', ${SA_USER}, 'created', e.rowid FROM attacker a JOIN audit_events e ON e.credential_id = a.value WHERE a.kind = 'credential' AND ${CREATE_SA}
    UNION SELECT 'user', ${SA_USER}, 'created', e.rowid FROM attacker a JOIN audit_events e ON e.username = a.value WHERE a.kind = 'user' AND ${CREATE_SA}
  )`;

/** A condition on an `audit_events` row (columns unqualified): it was made by one of the case's identities. */
export const BY_CASE_IDENTITY = `(credential_id IN (${ATTACKER_CTE} SELECT value FROM attacker WHERE kind = 'credential') OR username IN (${ATTACKER_CTE} SELECT value FROM attacker WHERE kind = 'user'))`;
