// Turns the cloud identities found for a pod into the provider commands that cut its cloud sessions.
// Pure: it validates every cluster-supplied value and describes commands; the runner decides what runs.
import { checkExhaustive } from '../errors.js';
import { awsRevokeCommands } from './aws-commands.js';
import { azureRevokeCommands } from './azure-commands.js';
import type { CloudCommand, CloudIdentity, CloudRevokeOptions } from './cloud-types.js';
import { gcpRevokeCommands } from './gcp-commands.js';
import { checkCaseId } from './safe-values.js';

export type { AzureIdentityHint, CloudCommand, CloudIdentity, CloudProvider, CloudRevokeOptions } from './cloud-types.js';

/** What the builder needs besides the identities: the revocation instant, the case, and responder choices. */
export interface CloudRevokeContext {
  /** The instant sessions must have been issued after to survive (AWS), normally the responder's clock now. */
  readonly now: Date;
  readonly caseId: string;
  readonly options?: CloudRevokeOptions;
}

function commandsFor(identity: CloudIdentity, context: CloudRevokeContext, caseId: string): CloudCommand[] {
  const provider = identity.provider;
  switch (provider) {
    case 'aws-irsa':
    case 'aws-pod-identity':
      return awsRevokeCommands(identity, { now: context.now, caseId });
    case 'gcp-workload-identity':
      return gcpRevokeCommands(identity, context.options?.gcp);
    case 'azure-workload-identity':
      return azureRevokeCommands(identity, context.options?.azure);
    default:
      return checkExhaustive(provider);
  }
}

/**
 * Builds the commands that cut every cloud identity of a pod, in the order given, without duplicates.
 * Throws `UnsafeValueError` for the first value that fails validation, before anything could run.
 *
 * @example buildCloudRevokeCommands([{provider: 'aws-irsa', principal: 'arn:aws:iam::123456789012:role/app', namespace: 'shop', serviceAccount: 'web'}], {now, caseId})
 */
export function buildCloudRevokeCommands(identities: readonly CloudIdentity[], context: CloudRevokeContext): CloudCommand[] {
  const caseId = checkCaseId(context.caseId);
  const seen = new Set<string>();
  const commands: CloudCommand[] = [];
  for (const identity of identities) {
    for (const command of commandsFor(identity, context, caseId)) {
      if (seen.has(command.id)) continue;
      seen.add(command.id);
      commands.push(command);
    }
  }
  return commands;
}
