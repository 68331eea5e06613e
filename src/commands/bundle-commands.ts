/** `kustody bundle export|verify`: write a case out as a verifiable tar, and check one received. */
import { join } from 'node:path';
import { display, escapeUntrusted, toSafeJson, trusted } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { verifyBundle } from '../adapters/bundle/verify-bundle.js';
import { explainVerdict } from '../core/bundle/verdict.js';
import { CASE_DB_FILE, resolveCaseDir } from '../adapters/store/case-store.js';
import { openWritableDb } from '../adapters/store/open-store.js';
import { readCaseMetadata } from '../adapters/store/case-reader.js';
import { readResponderIdentity } from '../adapters/system/responder-env.js';
import { exportCase } from '../runner/run-export.js';
import { defaultCaseParent, type Command } from './command.js';

/** `kustody bundle export`: writes the case as a tar and records the export (with the tar's hash) in the case. */
export const bundleExport: Command = {
  path: ['bundle', 'export'],
  usage: 'kustody bundle export CASE [-o FILE.tar] [--sign-key KEY.pem] [--json]',
  summary: 'write the case as a tar that anyone can verify',
  help: [
    'The tar holds evidence.db (self-contained SQLite), manifest.json, SHA256SUMS and, with --sign-key, an Ed25519 manifest.sig.',
    'Check it with `kustody bundle verify`, or by hand: tar -xf FILE.tar && sha256sum -c SHA256SUMS.',
    'The export and the tar\'s SHA-256 are recorded in the case; keep that hash somewhere outside the tar too.',
    'FILE defaults to <case-id>.tar in the current folder. A key: openssl genpkey -algorithm ed25519 -out key.pem',
  ].join('\n'),
  options: { output: { type: 'string', short: 'o' }, 'sign-key': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const db = openWritableDb(join(caseDir, CASE_DB_FILE));
    try {
      const caseId = readCaseMetadata(db).id;
      const out = typeof args.values.output === 'string' ? args.values.output : `${caseId}.tar`;
      const signKey = typeof args.values['sign-key'] === 'string' ? args.values['sign-key'] : undefined;
      const who = readResponderIdentity();
      const result = await exportCase(db, out, signKey, `${who.osUser}@${who.host}`);
      if (json) {
        io.out(toSafeJson({ path: result.path, sha256: result.sha256, size: result.size, signed: result.signed, head_seq: result.manifest.custody.head_seq, head_hash: result.manifest.custody.head_hash, counts: result.manifest.counts }));
      } else {
        io.out(display`Wrote ${escapeUntrusted(result.path)} (${result.size} bytes${result.signed ? trusted(', signed') : trusted('')})`);
        io.out(display`SHA-256   ${escapeUntrusted(result.sha256)}`);
        io.out(display`Custody   ${result.manifest.custody.actions} rows, head ${escapeUntrusted(result.manifest.custody.head_hash)}`);
        io.out(trusted('Record the SHA-256 outside the bundle (ticket, chat) so a later copy can be compared with it.'));
      }
    } finally {
      db.close();
    }
    return 0;
  },
};

/** `kustody bundle verify`: checks a received bundle; exit 0 authentic or consistent, 1 tampered (or consistent with --require-authentic), 2 unreadable. */
export const bundleVerify: Command = {
  path: ['bundle', 'verify'],
  usage: 'kustody bundle verify FILE.tar [--pubkey KEY.pub] [--sha256 HEX] [--require-authentic] [--json]',
  summary: 'check a bundle: hashes, signature, database integrity, custody chain, every stored row',
  help: [
    'The verdict is AUTHENTIC (intact, and its origin proven by a signature from the pinned --pubkey or by',
    'the --sha256 recorded outside it), CONSISTENT (intact in itself, origin not proven: a bundle rewritten',
    'as a whole, chain, manifest and sums included, would look the same), TAMPERED or UNREADABLE.',
    'Exit 0 for AUTHENTIC or CONSISTENT, 1 when anything was changed, 2 when the file is not a readable bundle.',
    'With --require-authentic, CONSISTENT exits 1 too.',
    'With --pubkey, the manifest must carry a valid signature from exactly that Ed25519 key.',
    'With --sha256, the bundle must be byte for byte the one whose SHA-256 was recorded outside it at export',
    '(this catches an older or replaced bundle that is consistent in itself).',
  ].join('\n'),
  options: { pubkey: { type: 'string' }, sha256: { type: 'string' }, 'require-authentic': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json }) {
    const path = args.positionals[0] ?? '';
    const expected = args.values.sha256;
    if (expected !== undefined && (typeof expected !== 'string' || !/^[0-9a-fA-F]{64}$/.test(expected))) throw new UsageError('--sha256 takes the 64 hex digits printed by `kustody bundle export` (or sha256sum).');
    const report = await verifyBundle(path, { pubkeyPath: typeof args.values.pubkey === 'string' ? args.values.pubkey : undefined, expectedSha256: typeof expected === 'string' ? expected : undefined });
    const requireAuthentic = args.values['require-authentic'] === true;
    if (json) {
      io.out(toSafeJson(report));
    } else {
      io.out(display`${escapeUntrusted(report.verdict)}  ${escapeUntrusted(path)}`);
      io.out(display`Verdict    ${escapeUntrusted(explainVerdict(report))}`);
      if (report.caseId !== null) io.out(display`Case       ${escapeUntrusted(report.caseId)}`);
      io.out(display`Signature  ${escapeUntrusted(report.signature)}`);
      if (report.custodyHead !== null) io.out(display`Custody    ${report.custodyHead.seq} rows, head ${escapeUntrusted(report.custodyHead.hash)}`);
      for (const finding of report.findings) io.out(display`  ✗ ${escapeUntrusted(finding.code)}: ${escapeUntrusted(finding.message)}`);
      for (const note of report.notes) io.out(display`  note: ${escapeUntrusted(note)}`);
      if (requireAuthentic && report.verdict === 'CONSISTENT') io.out(trusted('  ✗ --require-authentic: the origin of this bundle is not proven; pass the signer\'s --pubkey or the --sha256 recorded at export.'));
    }
    if (report.status === 'unreadable') return 2;
    if (report.status === 'tampered') return 1;
    return requireAuthentic && report.verdict !== 'AUTHENTIC' ? 1 : 0;
  },
};
