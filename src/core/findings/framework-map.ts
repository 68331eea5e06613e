/**
 * The framework ids findings are mapped to, as reviewed data: each id with its name in the framework's
 * own words and the page it was taken from. `RULE_MAPPINGS` says which ids each rule (or rule/kind)
 * fits. Ids come from the frameworks' own documents (see `verifiedFrom`); NIST CSF ids are 2.0 ids
 * (PR.AA-05, not the CSF 1.1 PR.AC-4). Reviewed 2026-12-07; docs/findings.md lists how each was checked.
 */
import type { Framework, FrameworkMapping } from './types.js';

/** One framework id, what it is called, and where it is defined. */
export interface FrameworkEntry {
  readonly framework: Framework;
  readonly id: string;
  readonly name: string;
  readonly url: string;
  /** How the id was checked against the framework's own text. */
  readonly verifiedFrom: string;
}

const MS = 'https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/';
const MS_CHECK = 'microsoft/Threat-Matrix-for-Kubernetes docs/techniques (commit b885d18), the technique page\'s ID line';
const ATTACK = 'https://attack.mitre.org/techniques/';
const ATTACK_CHECK = 'named on the matching Threat Matrix technique page (Microsoft\'s MITRE mapping); not re-read on attack.mitre.org';
const ATTACK_UNCHECKED = 'not verified against attack.mitre.org from this machine (no access); id as published in ATT&CK Enterprise';
const NHI = 'https://owasp.org/www-project-non-human-identities-top-10/2025/top-10-2025';
const NHI_CHECK = 'owasp.org Top 10 Non-Human Identities Risks 2025 page';
const CSF = 'https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.29.pdf';
const CSF_CHECK = 'NIST CSWP 29 (CSF 2.0) subcategory text as reproduced by csf.tools; the PDF itself was not reachable';

/** Every id any rule maps to. */
export const FRAMEWORK_ENTRIES: readonly FrameworkEntry[] = [
  { framework: 'threat-matrix-k8s', id: 'MS-TA9006', name: 'Exec into container', url: `${MS}Exec%20into%20container/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9008', name: 'New container', url: `${MS}New%20Container/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9010', name: 'SSH server running inside container', url: `${MS}SSH%20server%20running%20inside%20container/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9012', name: 'Backdoor container', url: `${MS}Backdoor%20container/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9013', name: 'Writable hostPath mount', url: `${MS}Writable%20hostPath%20mount/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9014', name: 'Kubernetes CronJob', url: `${MS}Kubernetes%20CronJob/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9016', name: 'Container service account', url: `${MS}container%20service%20account/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9018', name: 'Privileged container', url: `${MS}Privileged%20container/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9019', name: 'Cluster-admin binding', url: `${MS}Cluster-admin%20binding/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9021', name: 'Clear container logs', url: `${MS}Clear%20container%20logs/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9025', name: 'List K8S secrets', url: `${MS}List%20K8S%20secrets/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9027', name: 'Application credentials in configuration files', url: `${MS}Application%20credentials%20in%20configuration%20files/`, verifiedFrom: MS_CHECK },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9029', name: 'Access Kubernetes API Server', url: `${MS}Access%20the%20K8S%20API%20server/`, verifiedFrom: 'microsoft/Threat-Matrix-for-Kubernetes docs/techniques/Access the K8S API server.md (commit 054c63d), the technique page\'s ID line (Discovery; MITRE T1613)' },
  { framework: 'threat-matrix-k8s', id: 'MS-TA9030', name: 'Access Kubelet API', url: `${MS}Access%20Kubelet%20API/`, verifiedFrom: MS_CHECK },
  { framework: 'attack-containers', id: 'T1609', name: 'Container Administration Command', url: `${ATTACK}T1609/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1610', name: 'Deploy Container', url: `${ATTACK}T1610/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1611', name: 'Escape to Host', url: `${ATTACK}T1611/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1613', name: 'Container and Resource Discovery', url: `${ATTACK}T1613/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1053.007', name: 'Scheduled Task/Job: Container Orchestration Job', url: `${ATTACK}T1053/007/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1098.006', name: 'Account Manipulation: Additional Container Cluster Roles', url: `${ATTACK}T1098/006/`, verifiedFrom: ATTACK_UNCHECKED },
  { framework: 'attack-containers', id: 'T1528', name: 'Steal Application Access Token', url: `${ATTACK}T1528/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1552.001', name: 'Unsecured Credentials: Credentials In Files', url: `${ATTACK}T1552/001/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1552.007', name: 'Unsecured Credentials: Container API', url: `${ATTACK}T1552/007/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1078.003', name: 'Valid Accounts: Local Accounts', url: `${ATTACK}T1078/003/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1543', name: 'Create or Modify System Process', url: `${ATTACK}T1543/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1070', name: 'Indicator Removal', url: `${ATTACK}T1070/`, verifiedFrom: ATTACK_CHECK },
  { framework: 'attack-containers', id: 'T1070.004', name: 'Indicator Removal: File Deletion (ATT&CK Enterprise; not in the Containers matrix)', url: `${ATTACK}T1070/004/`, verifiedFrom: ATTACK_UNCHECKED },
  { framework: 'attack-containers', id: 'T1620', name: 'Reflective Code Loading (ATT&CK Enterprise; not in the Containers matrix)', url: `${ATTACK}T1620/`, verifiedFrom: ATTACK_UNCHECKED },
  { framework: 'owasp-nhi-2025', id: 'NHI2', name: 'Secret Leakage', url: NHI, verifiedFrom: NHI_CHECK },
  { framework: 'owasp-nhi-2025', id: 'NHI5', name: 'Overprivileged NHI', url: NHI, verifiedFrom: NHI_CHECK },
  { framework: 'owasp-nhi-2025', id: 'NHI7', name: 'Long-Lived Secrets', url: NHI, verifiedFrom: NHI_CHECK },
  { framework: 'nist-csf-2.0', id: 'PR.AA-01', name: 'Identities and credentials for authorized users, services, and hardware are managed by the organization', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'PR.AA-05', name: 'Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'PR.PS-01', name: 'Configuration management practices are established and applied', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'DE.CM-01', name: 'Networks and network services are monitored to find potentially adverse events', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'DE.CM-09', name: 'Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'RS.AN-06', name: 'Actions performed during an investigation are recorded, and the records\' integrity and provenance are preserved', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'RS.AN-07', name: 'Incident data and metadata are collected, and their integrity and provenance are preserved', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'RS.MA-01', name: 'The incident response plan is executed in coordination with relevant third parties once an incident is declared', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'RS.MI-01', name: 'Incidents are contained', url: CSF, verifiedFrom: CSF_CHECK },
  { framework: 'nist-csf-2.0', id: 'RS.MI-02', name: 'Incidents are eradicated', url: CSF, verifiedFrom: CSF_CHECK },
];

/** Which ids fit each rule (`rule`) or one kind of it (`rule/kind`); a kind's ids are added to the rule's. Written `framework:id`. */
export const RULE_MAPPINGS: Readonly<Record<string, readonly string[]>> = {
  'deleted-executable': ['attack-containers:T1070.004', 'nist-csf-2.0:DE.CM-09'],
  'deleted-executable/memfd': ['attack-containers:T1620'],
  'isolation-survivor': ['nist-csf-2.0:RS.MI-01'],
  listener: ['nist-csf-2.0:DE.CM-01'],
  'listener/ssh': ['threat-matrix-k8s:MS-TA9010'],
  'dangerous-capabilities': ['threat-matrix-k8s:MS-TA9018', 'attack-containers:T1611', 'nist-csf-2.0:PR.PS-01'],
  'no-seccomp': ['attack-containers:T1611', 'nist-csf-2.0:PR.PS-01'],
  'sensitive-mount': ['nist-csf-2.0:PR.PS-01'],
  'sensitive-mount/host-path': ['threat-matrix-k8s:MS-TA9013', 'attack-containers:T1611'],
  'sensitive-mount/runtime-socket': ['threat-matrix-k8s:MS-TA9013', 'attack-containers:T1611', 'attack-containers:T1610'],
  'sensitive-mount/serviceaccount-token': ['threat-matrix-k8s:MS-TA9016', 'attack-containers:T1528'],
  'sensitive-mount/secret': ['threat-matrix-k8s:MS-TA9027', 'attack-containers:T1552.001'],
  'live-credential': ['owasp-nhi-2025:NHI2', 'nist-csf-2.0:PR.AA-01', 'attack-containers:T1528'],
  'live-credential/long-lived': ['owasp-nhi-2025:NHI7'],
  'live-credential/kubernetes': ['threat-matrix-k8s:MS-TA9016', 'attack-containers:T1552.007'],
  'dangerous-rbac': ['owasp-nhi-2025:NHI5', 'nist-csf-2.0:PR.AA-05'],
  'dangerous-rbac/read-secrets': ['threat-matrix-k8s:MS-TA9025', 'attack-containers:T1552.007'],
  'dangerous-rbac/exec-into-pods': ['threat-matrix-k8s:MS-TA9006', 'attack-containers:T1609'],
  'dangerous-rbac/create-workloads': ['threat-matrix-k8s:MS-TA9008', 'attack-containers:T1610'],
  'dangerous-rbac/escalate': ['threat-matrix-k8s:MS-TA9019', 'attack-containers:T1078.003'],
  'dangerous-rbac/bind': ['threat-matrix-k8s:MS-TA9019', 'attack-containers:T1078.003'],
  'dangerous-rbac/wildcard': ['threat-matrix-k8s:MS-TA9019', 'attack-containers:T1078.003'],
  'dangerous-rbac/nodes-proxy': ['threat-matrix-k8s:MS-TA9030', 'attack-containers:T1613'],
  'dangerous-rbac/mint-tokens': ['owasp-nhi-2025:NHI7', 'attack-containers:T1528'],
  'capture-gap': ['nist-csf-2.0:RS.AN-07'],
  'change-not-verified': ['nist-csf-2.0:RS.MI-01', 'nist-csf-2.0:RS.AN-06'],
  'open-checklist-item': ['nist-csf-2.0:RS.MA-01'],
  persistence: ['nist-csf-2.0:RS.MI-02'],
  'persistence/cronjob': ['threat-matrix-k8s:MS-TA9014', 'attack-containers:T1053.007'],
  'persistence/job': ['attack-containers:T1053.007'],
  'persistence/daemonset': ['threat-matrix-k8s:MS-TA9012', 'attack-containers:T1610'],
  'persistence/deployment': ['threat-matrix-k8s:MS-TA9012', 'attack-containers:T1610'],
  'persistence/pod': ['attack-containers:T1610', 'attack-containers:T1611'],
  'persistence/serviceaccount': ['nist-csf-2.0:PR.AA-01'],
  'persistence/secret': ['owasp-nhi-2025:NHI7', 'attack-containers:T1552.007'],
  'persistence/rolebinding': ['owasp-nhi-2025:NHI5', 'attack-containers:T1098.006'],
  'audit-new-origin': ['threat-matrix-k8s:MS-TA9016', 'attack-containers:T1528', 'owasp-nhi-2025:NHI2'],
  'audit-rbac-change': ['attack-containers:T1098.006', 'owasp-nhi-2025:NHI5', 'nist-csf-2.0:PR.AA-05'],
  'audit-secrets-read': ['threat-matrix-k8s:MS-TA9025', 'attack-containers:T1552.007'],
  'audit-exec': ['threat-matrix-k8s:MS-TA9006', 'attack-containers:T1609'],
  'audit-token-minted': ['threat-matrix-k8s:MS-TA9016', 'attack-containers:T1528', 'owasp-nhi-2025:NHI7'],
  'audit-denied': ['threat-matrix-k8s:MS-TA9029', 'attack-containers:T1613'],
  'persistence/clusterrolebinding': ['threat-matrix-k8s:MS-TA9019', 'attack-containers:T1098.006'],
};

const BY_KEY = new Map(FRAMEWORK_ENTRIES.map((entry) => [`${entry.framework}:${entry.id}`, entry]));

/** The framework entry for `framework:id`, if the table has it. */
export function frameworkEntry(key: string): FrameworkEntry | undefined {
  return BY_KEY.get(key);
}

/** The mappings of a rule and, when given, one kind of it (no duplicates, table order kept). */
export function mappingsFor(rule: string, kind?: string): FrameworkMapping[] {
  const keys = [...(RULE_MAPPINGS[rule] ?? []), ...(kind === undefined ? [] : RULE_MAPPINGS[`${rule}/${kind}`] ?? [])];
  const seen = new Set<string>();
  const out: FrameworkMapping[] = [];
  for (const key of keys) {
    const entry = BY_KEY.get(key);
    if (entry === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push({ framework: entry.framework, id: entry.id });
  }
  return out;
}
