// The shapes shared by the cloud revocation builders: what was found for a pod, and what is proposed.
import type { PlannedCommand } from './planned-command.js';

/** Which cloud workload-identity mechanism gave the pod its cloud credentials. */
export type CloudProvider = 'aws-irsa' | 'aws-pod-identity' | 'gcp-workload-identity' | 'azure-workload-identity';

/** A cloud identity found for a pod; every string came from the cluster and is validated before use. */
export interface CloudIdentity {
  readonly provider: CloudProvider;
  /** The IAM role ARN (AWS), Google service account email (GCP) or managed identity client id (Azure). */
  readonly principal: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The Entra ID tenant (Azure), when the pod named one. */
  readonly tenantId?: string;
}

/** What the responder knows about an Azure managed identity beyond its client id (from the portal or `az identity list`). */
export interface AzureIdentityHint {
  readonly identityName?: string;
  readonly resourceGroup?: string;
  readonly federatedCredentialName?: string;
  /** Subscription id, passed as `--subscription` when given. */
  readonly subscription?: string;
  /** The cluster's OIDC issuer URL, used only to spell out the undo. */
  readonly issuer?: string;
}

/** Responder choices for the cloud commands. */
export interface CloudRevokeOptions {
  readonly gcp?: {
    /** Also remove `roles/iam.workloadIdentityUser` for the Kubernetes ServiceAccount (default false). */
    readonly removeWorkloadIdentityBinding?: boolean;
    /** The project of the cluster's workload pool (`<project>.svc.id.goog`), when it is not the service account's project. */
    readonly workloadPoolProject?: string;
  };
  readonly azure?: AzureIdentityHint;
}

/** A planned cloud command, tagged with the identity it acts on. */
export interface CloudCommand extends PlannedCommand {
  readonly provider: CloudProvider;
  readonly principal: string;
}
