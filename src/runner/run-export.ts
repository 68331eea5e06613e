/** Export as a reusable step: write the case as a verifiable bundle and record the export, with the tar's hash, in the case. */
import { basename } from 'node:path';
import { writeBundle, type ExportResult } from '../adapters/bundle/write-bundle.js';
import { assertChainIntact } from '../adapters/store/case-chain.js';
import { readCaseMetadata } from '../adapters/store/case-reader.js';
import { recordAction } from '../adapters/store/case-store.js';
import type { WritableDb } from '../adapters/store/open-store.js';
import { utcNow } from '../adapters/system/responder-env.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Writes the bundle to `outPath` (signed when `signKey` is given) and appends the `export` custody row. */
export async function exportCase(db: WritableDb, outPath: string, signKey: string | undefined, actor: string): Promise<ExportResult> {
  // A bundle of a broken chain would carry (and a signature would vouch for) data nobody can trust.
  assertChainIntact(db, 'export this case');
  const caseId = readCaseMetadata(db).id;
  const result = await writeBundle(db, outPath, { name: TOOL_NAME, version: TOOL_VERSION }, signKey);
  recordAction(db, {
    at: utcNow(),
    actor,
    kind: 'export',
    target: caseId,
    detail: { file: basename(result.path), bundle_sha256: result.sha256, bundle_size: result.size, manifest_sha256: result.manifestSha256, head_seq: result.manifest.custody.head_seq, head_hash: result.manifest.custody.head_hash, signed: result.signed },
    outcome: 'ok',
  });
  return result;
}
