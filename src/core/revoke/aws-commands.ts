// AWS STS sessions cannot be revoked one by one; what the IAM console's "Revoke active sessions" button
// does is attach an inline policy (AWSRevokeOlderSessions) that denies everything to sessions whose
// aws:TokenIssueTime is before now (IAM User Guide, "Revoke IAM role temporary security credentials",
// id_roles_use_revoke-sessions). kustody attaches the same policy under its own per-case name.
import { BugError } from '../errors.js';
import type { CloudCommand, CloudIdentity } from './cloud-types.js';
import { checkNamespace, checkObjectName, roleNameFromArn } from './safe-values.js';

/** The inline policy name kustody uses for one case, so undo removes exactly its own policy. */
export function revokePolicyName(caseId: string): string {
  return `kustody-revoke-${caseId}`;
}

/** The policy document denying every action to sessions issued before `now`, as compact JSON. */
export function denyOlderSessionsPolicy(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new BugError('denyOlderSessionsPolicy was given an invalid Date');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KustodyRevokeOlderSessions',
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': now.toISOString() } },
      },
    ],
  });
}

// How the pod gets a new session after the deny, which the deny does not stop.
function reissuePath(identity: CloudIdentity, subject: string): string {
  if (identity.provider === 'aws-pod-identity') {
    return (
      `The EKS Pod Identity agent can still hand out new sessions for ${subject} until its token is revoked ` +
      '(delete the pod or rotate the ServiceAccount); deleting the pod identity association stops new ones but ' +
      'leaves issued credentials valid, which is why this deny is needed.'
    );
  }
  return (
    `Anyone holding the pod's web-identity token (${subject}) can still get a new session until that token is ` +
    "revoked (delete the pod or rotate the ServiceAccount) or the role's trust policy no longer trusts it."
  );
}

/** Builds the deny-older-sessions command (and its undo) for an IRSA or Pod Identity role; the ARN is validated first. */
export function awsRevokeCommands(identity: CloudIdentity, context: { now: Date; caseId: string }): CloudCommand[] {
  const roleName = roleNameFromArn(identity.principal);
  const subject = `system:serviceaccount:${checkNamespace(identity.namespace)}:${checkObjectName('ServiceAccount', identity.serviceAccount)}`;
  const policyName = revokePolicyName(context.caseId);
  const issued = context.now.toISOString();
  const via = identity.provider === 'aws-pod-identity' ? 'EKS Pod Identity' : 'IRSA';
  return [
    {
      id: `aws-deny-older-sessions:${identity.principal}`,
      provider: identity.provider,
      principal: identity.principal,
      argv: [
        'aws',
        'iam',
        'put-role-policy',
        '--role-name',
        roleName,
        '--policy-name',
        policyName,
        '--policy-document',
        denyOlderSessionsPolicy(context.now),
      ],
      explanation:
        `Deny every action to sessions of IAM role ${roleName} issued before ${issued}, which cuts the AWS ` +
        `credentials the pod obtained through ${via} (the same policy as the console's "Revoke active sessions").`,
      mutates: true,
      remains:
        `Sessions issued after ${issued} are not affected. ${reissuePath(identity, subject)} Every other workload ` +
        'using this role loses its current sessions too and must re-authenticate; IAM changes can take a few minutes to apply everywhere.',
      undo: {
        explanation: `remove kustody's inline policy ${policyName} from role ${roleName}`,
        argv: ['aws', 'iam', 'delete-role-policy', '--role-name', roleName, '--policy-name', policyName],
      },
      placeholders: [],
      after: null,
    },
  ];
}
