// GKE Workload Identity: Google cannot revoke access tokens already minted for a service account
// ("not revocable" per `gcloud auth revoke`), so the cut is to stop new ones and wait out the hour.
import type { CloudCommand, CloudIdentity, CloudRevokeOptions } from './cloud-types.js';
import { placeholdersIn } from './planned-command.js';
import {
  checkGcpProject,
  checkNamespace,
  checkObjectName,
  checkServiceAccountEmail,
  projectOfServiceAccount,
} from './safe-values.js';

const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

/** Builds the disable command and, when asked, the workload-identity binding removal for a Google service account. */
export function gcpRevokeCommands(identity: CloudIdentity, options: CloudRevokeOptions['gcp'] = {}): CloudCommand[] {
  const email = checkServiceAccountEmail(identity.principal);
  const namespace = checkNamespace(identity.namespace);
  const serviceAccount = checkObjectName('ServiceAccount', identity.serviceAccount);
  const tag = { provider: identity.provider, principal: email } as const;
  const commands: CloudCommand[] = [
    {
      ...tag,
      id: `gcp-disable:${email}`,
      argv: ['gcloud', 'iam', 'service-accounts', 'disable', email, '--quiet'],
      explanation: `Disable Google service account ${email} so no new access tokens can be issued for it, to this pod or anyone else.`,
      mutates: true,
      remains:
        'Access tokens already issued stay valid until they expire (up to 1 hour; Google cannot revoke them). ' +
        'Every other workload and key using this service account stops working too.',
      undo: {
        explanation: `enable ${email} again`,
        argv: ['gcloud', 'iam', 'service-accounts', 'enable', email, '--quiet'],
      },
      placeholders: [],
      after: null,
    },
  ];
  if (options.removeWorkloadIdentityBinding !== true) return commands;
  const poolProject =
    options.workloadPoolProject !== undefined ? checkGcpProject(options.workloadPoolProject) : projectOfServiceAccount(email);
  const member = `serviceAccount:${poolProject ?? '<cluster-project>'}.svc.id.goog[${namespace}/${serviceAccount}]`;
  const binding = [email, `--role=${WORKLOAD_IDENTITY_USER}`, `--member=${member}`, '--quiet'];
  const argv = ['gcloud', 'iam', 'service-accounts', 'remove-iam-policy-binding', ...binding];
  commands.push({
    ...tag,
    id: `gcp-remove-workload-identity-binding:${email}:${namespace}/${serviceAccount}`,
    argv,
    explanation:
      `Stop Kubernetes ServiceAccount ${namespace}/${serviceAccount} from acting as ${email} by removing its ` +
      `${WORKLOAD_IDENTITY_USER} binding.`,
    mutates: true,
    remains: 'Access tokens already issued stay valid until they expire (up to 1 hour).',
    undo: {
      explanation: 'add the binding back',
      argv: ['gcloud', 'iam', 'service-accounts', 'add-iam-policy-binding', ...binding],
    },
    placeholders: placeholdersIn(argv),
    after: null,
  });
  return commands;
}
