/** The facts a persistence sweep reasons about, and the items it finds. Pure data. */
import type { JsonValue } from '../custody/canonical-json.js';

/** An object read from the cluster (plain JSON as the API server returned it; Secrets as metadata only). */
export interface ScannedObject {
  kind: string;
  object: Record<string, unknown>;
}

/** One completed write the audit log attributes to one of the case's identities. */
export interface AuditWrite {
  rowid: number;
  verb: string;
  resource: string;
  /** `token` for a TokenRequest (minting a token for the ServiceAccount `name`); null for the object itself. */
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  username: string;
  /** ResponseComplete time (ISO, µs). */
  at: string;
  objectUid: string | null;
  responseCode: number | null;
  /** For a TokenRequest: the credential id (`JTI=…`) of the token it minted, when the event names it. */
  issuedCredentialId?: string | null;
  /** For a TokenRequest: the object the minted token is bound to (`Pod NAME`); null: bound to the account only; undefined: the log kept no request body to say. */
  boundTo?: string | null;
}

/** What to sweep: objects created at or after `since`, in these namespaces (null: every namespace and every cluster-scoped object). */
export interface SweepScope {
  since: string;
  namespaces: string[] | null;
}

/** Everything the detector needs: the scan, the audit writes, and the objects this case itself created. */
export interface SweepFacts {
  caseId: string;
  scope: SweepScope;
  objects: ScannedObject[];
  /** Kinds the scan could list in every namespace of the scope (an object of these kinds not among `objects` is gone). */
  readKinds: string[];
  audit: AuditWrite[];
  /** Uids of objects kustody created for this case (guards, policies, collector pods): never persistence. */
  ownUids: string[];
}

/** How bad a finding is (the findings registry's scale). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One thing the attacker may have left behind. */
export interface PersistenceItem {
  /** Stable: kind/namespace/name/uid. */
  key: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
  resourceVersion: string | null;
  createdAt: string | null;
  /** Plain-language reasons, most important first. */
  reasons: string[];
  source: 'scan' | 'audit' | 'scan+audit';
  severity: Severity;
  /** Whether the sweep may plan its deletion; when not, why (shown to the responder). */
  removable: boolean;
  keptBecause: string | null;
  /** ATT&CK for Containers technique ids. */
  techniques: string[];
  /** The audit log's proof that one of the case's identities created it (null: not attributed; a scan find, or only changed by one). */
  createdBy: { username: string; at: string; auditRowids: number[] } | null;
  /** The object as read (null: only the audit log knows it). */
  object: Record<string, JsonValue> | null;
  auditRowids: number[];
}
