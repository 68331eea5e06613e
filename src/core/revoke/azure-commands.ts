// Azure Workload Identity: the pod trades its Kubernetes token for an Entra ID token through a federated
// identity credential on a user-assigned managed identity. Deleting that credential stops new exchanges;
// tokens Entra ID already issued cannot be revoked and live until they expire (up to 24 hours).
import type { AzureIdentityHint, CloudCommand, CloudIdentity } from './cloud-types.js';
import { placeholdersIn } from './planned-command.js';
import {
  checkAzureName,
  checkGuid,
  checkIssuerUrl,
  checkNamespace,
  checkObjectName,
  checkResourceGroup,
} from './safe-values.js';

const AUDIENCE = 'api://AzureADTokenExchange';

interface Checked {
  readonly clientId: string;
  readonly subject: string;
  readonly tenant: string;
  readonly subscription: string[];
  readonly name: string;
  readonly group: string;
  readonly credential: string;
  readonly issuer: string;
}

function checkAll(identity: CloudIdentity, hint: AzureIdentityHint): Checked {
  const namespace = checkNamespace(identity.namespace);
  const serviceAccount = checkObjectName('ServiceAccount', identity.serviceAccount);
  const tenant = identity.tenantId === undefined ? '' : ` in tenant ${checkGuid('Azure tenant id', identity.tenantId)}`;
  return {
    clientId: checkGuid('Azure client id', identity.principal).toLowerCase(),
    subject: `system:serviceaccount:${namespace}:${serviceAccount}`,
    tenant,
    subscription: hint.subscription === undefined ? [] : ['--subscription', checkGuid('Azure subscription id', hint.subscription)],
    name: hint.identityName === undefined ? '<identity-name>' : checkAzureName('Azure identity name', hint.identityName),
    group: hint.resourceGroup === undefined ? '<resource-group>' : checkResourceGroup(hint.resourceGroup),
    credential:
      hint.federatedCredentialName === undefined
        ? '<credential-name>'
        : checkAzureName('federated credential name', hint.federatedCredentialName),
    issuer: hint.issuer === undefined ? '<issuer-url>' : checkIssuerUrl(hint.issuer),
  };
}

function command(identity: CloudIdentity, fields: Omit<CloudCommand, 'provider' | 'principal' | 'placeholders'>): CloudCommand {
  return { ...fields, provider: identity.provider, principal: identity.principal, placeholders: placeholdersIn(fields.argv) };
}

/** Builds the lookup and delete commands for the federated credential that lets this ServiceAccount act as the managed identity. */
export function azureRevokeCommands(identity: CloudIdentity, hint: AzureIdentityHint = {}): CloudCommand[] {
  const c = checkAll(identity, hint);
  const where = ['--identity-name', c.name, '--resource-group', c.group, ...c.subscription];
  const commands: CloudCommand[] = [];
  const base = `azure:${c.clientId}:${c.subject}`;
  if (hint.identityName === undefined || hint.resourceGroup === undefined) {
    commands.push(
      command(identity, {
        id: `${base}:find-identity`,
        argv: ['az', 'identity', 'list', '--query', `[?clientId=='${c.clientId}']`, '--output', 'json', ...c.subscription],
        explanation: `Find the managed identity with client id ${c.clientId}${c.tenant}: its name and resource group fill in the next steps.`,
        mutates: false,
        remains: null,
        undo: null,
        after: null,
      }),
    );
  }
  const lookup = hint.federatedCredentialName === undefined ? 'list' : 'show';
  const lookupArgv =
    lookup === 'list'
      ? ['az', 'identity', 'federated-credential', 'list', ...where, '--query', `[?subject=='${c.subject}']`, '--output', 'json']
      : ['az', 'identity', 'federated-credential', 'show', ...where, '--name', c.credential, '--output', 'json'];
  commands.push(
    command(identity, {
      id: `${base}:${lookup}-credential`,
      argv: lookupArgv,
      explanation:
        lookup === 'list'
          ? `List the federated credentials of the identity that trust ${c.subject}; the name fills in the delete.`
          : `Save federated credential ${c.credential} (issuer, subject, audiences) before deleting it, so it can be recreated.`,
      mutates: false,
      remains: null,
      undo: null,
      after: null,
    }),
  );
  commands.push(
    command(identity, {
      id: `${base}:delete-credential`,
      argv: ['az', 'identity', 'federated-credential', 'delete', ...where, '--name', c.credential, '--yes'],
      explanation:
        `Delete the federated identity credential that lets Kubernetes ServiceAccount ${c.subject} act as ` +
        `managed identity ${c.clientId}${c.tenant}, so the pod's token can no longer be exchanged for Azure tokens.`,
      mutates: true,
      remains:
        'Tokens Entra ID already issued to the pod stay valid until they expire (up to 24 hours); other federated ' +
        'credentials and other users of the managed identity keep working.',
      undo: {
        explanation: 'recreate the federated credential with the issuer and subject saved by the lookup',
        argv: [
          'az', 'identity', 'federated-credential', 'create', ...where, '--name', c.credential,
          '--issuer', c.issuer, '--subject', c.subject, '--audiences', AUDIENCE,
        ],
      },
      after: lookup === 'show' ? `${base}:show-credential` : null,
    }),
  );
  return commands;
}
