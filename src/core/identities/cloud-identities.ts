// Cloud workload identities a pod can use: EKS IRSA, EKS Pod Identity, GKE Workload Identity and
// Azure Workload Identity, from the ServiceAccount's annotations, the pod's labels, the env the
// providers' webhooks inject, and projected tokens for their audiences. Principals, never secrets.
import { listOf as list, textOf as text } from '../credentials/pod-spec.js';
import { allContainers } from './pod-identities.js';
import type { Identity, PodLike, ServiceAccountLike } from './types.js';
import { cloudValidity } from './validity.js';

/** The annotations and labels that bind a ServiceAccount or pod to a cloud principal. */
export const CLOUD_KEYS = {
  irsaRole: 'eks.amazonaws.com/role-arn',
  gkeServiceAccount: 'iam.gke.io/gcp-service-account',
  azureClientId: 'azure.workload.identity/client-id',
  azureTenantId: 'azure.workload.identity/tenant-id',
  azureUse: 'azure.workload.identity/use',
} as const;

const AUDIENCES = { irsa: 'sts.amazonaws.com', podIdentity: 'pods.eks.amazonaws.com', azure: 'api://AzureADTokenExchange' } as const;

/** Lists the cloud identities the pod holds or would get from its ServiceAccount. */
export function cloudIdentities(pod: PodLike, serviceAccount: ServiceAccountLike | null): Identity[] {
  const annotations = serviceAccount?.metadata?.annotations ?? {};
  const env = podEnv(pod);
  const tokens = tokenVolumes(pod);
  const out: Identity[] = [];

  const roles = new Map<string, string[]>();
  const annotated = text(annotations[CLOUD_KEYS.irsaRole]);
  if (annotated !== undefined) roles.set(annotated, [`ServiceAccount annotation ${CLOUD_KEYS.irsaRole}`]);
  for (const { container, value } of env.get('AWS_ROLE_ARN') ?? []) roles.set(value, [...(roles.get(value) ?? []), `container ${container}: env AWS_ROLE_ARN`]);
  for (const [role, usedBy] of roles) {
    out.push({
      kind: 'aws-irsa', name: role,
      facts: {
        role_arn: role, injected_into_pod: usedBy.some((u) => u.includes('env AWS_ROLE_ARN')),
        token_file: first(env.get('AWS_WEB_IDENTITY_TOKEN_FILE')), token_volume: tokens.get(AUDIENCES.irsa)?.volume ?? null,
        token_expiration_seconds: tokens.get(AUDIENCES.irsa)?.expirationSeconds ?? null,
      },
      usedBy, validity: cloudValidity('aws-irsa'), revokeWith: ['--cloud'],
    });
  }
  const podIdentityUri = env.get('AWS_CONTAINER_CREDENTIALS_FULL_URI');
  if (podIdentityUri !== undefined || tokens.has(AUDIENCES.podIdentity)) {
    out.push({
      kind: 'aws-pod-identity', name: 'EKS Pod Identity association',
      facts: {
        credentials_uri: first(podIdentityUri), token_file: first(env.get('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')),
        token_volume: tokens.get(AUDIENCES.podIdentity)?.volume ?? null,
        role_arn: null, find_role_with: 'aws eks list-pod-identity-associations --namespace NS --service-account SA',
      },
      usedBy: (podIdentityUri ?? []).map(({ container }) => `container ${container}: env AWS_CONTAINER_CREDENTIALS_FULL_URI`),
      validity: cloudValidity('aws-pod-identity'), revokeWith: ['--cloud'],
    });
  }
  const gsa = text(annotations[CLOUD_KEYS.gkeServiceAccount]);
  if (gsa !== undefined) {
    out.push({
      kind: 'gcp-workload-identity', name: gsa, facts: { gcp_service_account: gsa },
      usedBy: [`ServiceAccount annotation ${CLOUD_KEYS.gkeServiceAccount}`], validity: cloudValidity('gcp'), revokeWith: ['--cloud'],
    });
  }
  const clientId = text(annotations[CLOUD_KEYS.azureClientId]) ?? first(env.get('AZURE_CLIENT_ID')) ?? undefined;
  if (clientId !== undefined && (text(annotations[CLOUD_KEYS.azureClientId]) !== undefined || tokens.has(AUDIENCES.azure))) {
    const useLabel = pod.metadata?.labels?.[CLOUD_KEYS.azureUse] === 'true';
    out.push({
      kind: 'azure-workload-identity', name: clientId,
      facts: {
        client_id: clientId, tenant_id: text(annotations[CLOUD_KEYS.azureTenantId]) ?? first(env.get('AZURE_TENANT_ID')),
        use_label_on_pod: useLabel, token_file: first(env.get('AZURE_FEDERATED_TOKEN_FILE')), token_volume: tokens.get(AUDIENCES.azure)?.volume ?? null,
      },
      usedBy: [`ServiceAccount annotation ${CLOUD_KEYS.azureClientId}`, ...(useLabel ? [`pod label ${CLOUD_KEYS.azureUse}=true`] : [])],
      validity: cloudValidity('azure'), revokeWith: ['--cloud'],
    });
  }
  return out;
}

function podEnv(pod: PodLike): Map<string, Array<{ container: string; value: string }>> {
  const env = new Map<string, Array<{ container: string; value: string }>>();
  for (const container of allContainers(pod)) {
    for (const variable of list(container.env)) {
      const name = text(variable?.name);
      const value = text(variable?.value);
      if (name !== undefined && value !== undefined) env.set(name, [...(env.get(name) ?? []), { container: text(container.name) ?? '?', value }]);
    }
  }
  return env;
}

function tokenVolumes(pod: PodLike): Map<string, { volume: string; expirationSeconds: number | null }> {
  const found = new Map<string, { volume: string; expirationSeconds: number | null }>();
  for (const volume of list(pod.spec?.volumes)) {
    for (const source of list(volume?.projected?.sources)) {
      const audience = text(source?.serviceAccountToken?.audience);
      const seconds = source?.serviceAccountToken?.expirationSeconds;
      if (audience !== undefined) found.set(audience, { volume: text(volume.name) ?? '?', expirationSeconds: typeof seconds === 'number' ? seconds : null });
    }
  }
  return found;
}

function first(values: ReadonlyArray<{ value: string }> | undefined): string | null {
  return values?.[0]?.value ?? null;
}
