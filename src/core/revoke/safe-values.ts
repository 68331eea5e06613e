// Checks every value that came from the cluster (or the responder) before it becomes an argv element.
// Annotations and Secret names were written by whoever owned the pod (threat model §1), so each value
// must match the strict grammar of what it claims to be; anything else is refused, never cleaned up.
import { KustodyError } from '../errors.js';

/** A value refused before it could reach a command line; the message quotes it JSON-escaped and shortened. */
export class UnsafeValueError extends KustodyError {
  readonly field: string;

  constructor(field: string, value: unknown, expected: string) {
    super('UNSAFE_VALUE', `refused ${field} ${quote(value)}: expected ${expected}`, {
      nextStep: `Check the ${field} on the cluster; kustody builds no command from a value it cannot validate.`,
    });
    this.name = 'UnsafeValueError';
    this.field = field;
  }
}

// JSON.stringify escapes newlines and control bytes; the display layer escapes the rest (TUI-1).
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const short = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return JSON.stringify(short);
}

function check(field: string, value: unknown, pattern: RegExp, expected: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength || !pattern.test(value)) {
    throw new UnsafeValueError(field, value, expected);
  }
  return value;
}

// JS `$` without the m flag matches only at the very end, so a trailing newline never passes.
const IAM_NAME = String.raw`[\w+=,.@-]`;
const ROLE_ARN = new RegExp(String.raw`^arn:aws[a-z-]*:iam::\d{12}:role\/(?:${IAM_NAME}+\/)*(${IAM_NAME}{1,64})$`);
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[A-Za-z0-9_.][-A-Za-z0-9_.]*$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const USER_GSA = /^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]?@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;
const COMPUTE_GSA = /^\d{1,20}-compute@developer\.gserviceaccount\.com$/;
const APPSPOT_GSA = /^([a-z][a-z0-9-]{4,28}[a-z0-9])@appspot\.gserviceaccount\.com$/;
const AZURE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;
const AZURE_RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Returns the role name of a strictly valid IAM role ARN (`arn:aws…:iam::<12 digits>:role/[path/]name`), or throws. */
export function roleNameFromArn(arn: unknown): string {
  const match = typeof arn === 'string' && arn.length <= 2048 ? ROLE_ARN.exec(arn) : null;
  const name = match?.[1];
  if (name === undefined) throw new UnsafeValueError('IAM role ARN', arn, 'arn:aws:iam::<12-digit account>:role/<name>');
  return name;
}

/** Returns a GCP service account email of a known form (user-managed, default compute or App Engine), or throws. */
export function checkServiceAccountEmail(email: unknown): string {
  const known = typeof email === 'string' && email.length <= 254 && [USER_GSA, COMPUTE_GSA, APPSPOT_GSA].some((p) => p.test(email));
  if (!known) throw new UnsafeValueError('GCP service account email', email, 'name@project.iam.gserviceaccount.com');
  return email;
}

/** Returns the project id a GCP service account email names, or null for a default compute account (project number only). */
export function projectOfServiceAccount(email: string): string | null {
  return USER_GSA.exec(email)?.[1] ?? APPSPOT_GSA.exec(email)?.[1] ?? null;
}

/** Returns a GCP project id (6–30 lowercase letters, digits, hyphens), or throws. */
export function checkGcpProject(project: unknown): string {
  return check('GCP project id', project, GCP_PROJECT, 'a GCP project id such as my-project-123', 30);
}

/** Returns a GUID such as an Azure client or tenant id, or throws. */
export function checkGuid(field: string, value: unknown): string {
  return check(field, value, GUID, 'a GUID such as 00000000-0000-0000-0000-000000000000', 36);
}

/** Returns an Azure managed identity or federated credential name, or throws. */
export function checkAzureName(field: string, value: unknown): string {
  return check(field, value, AZURE_NAME, '3–128 letters, digits, hyphens or underscores', 128);
}

/** Returns an Azure resource group name, or throws. */
export function checkResourceGroup(value: unknown): string {
  return check('Azure resource group', value, AZURE_RESOURCE_GROUP, 'up to 90 letters, digits, and - _ . ( ) not ending in .', 90);
}

/** Returns a Kubernetes namespace (a DNS-1123 label), or throws. */
export function checkNamespace(value: unknown): string {
  return check('namespace', value, DNS_LABEL, 'a DNS-1123 label (lowercase letters, digits, -)', 63);
}

/** Returns a Kubernetes object name (a DNS-1123 subdomain: ServiceAccount, Secret, pod), or throws. */
export function checkObjectName(field: string, value: unknown): string {
  return check(field, value, DNS_SUBDOMAIN, 'a DNS-1123 subdomain (lowercase letters, digits, - and .)', 253);
}

/** Returns a Secret data key; refuses `.`, `..` and a leading `-`, which a hook program could read as a flag. */
export function checkSecretKey(value: unknown): string {
  const key = check('Secret key', value, SECRET_KEY, 'letters, digits, - _ . not starting with -', 253);
  if (key === '.' || key === '..') throw new UnsafeValueError('Secret key', value, 'a key other than . and ..');
  return key;
}

/** Returns a case id usable inside an IAM policy name and a command argument, or throws. */
export function checkCaseId(value: unknown): string {
  return check('case id', value, CASE_ID, 'letters, digits, - _ . (at most 100)', 100);
}

const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~\/-]*)?$/;

/** Returns an https URL made only of host, port and plain path characters (an OIDC issuer), or throws. */
export function checkIssuerUrl(value: unknown): string {
  return check('issuer URL', value, HTTPS_URL, 'an https URL with no query, user info or spaces', 2048);
}
