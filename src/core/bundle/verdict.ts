/** The words `bundle verify` and `review` use for what verification established. */

/** What verification established about a bundle (see VerifyReport in src/adapters/bundle/verify-bundle.ts). */
export interface VerdictFacts {
  verdict: 'AUTHENTIC' | 'CONSISTENT' | 'TAMPERED' | 'UNREADABLE';
  authenticatedBy: readonly ('pinned-key' | 'recorded-sha256')[];
  signature: 'valid' | 'invalid' | 'absent' | 'unchecked';
}

/** One sentence saying what the verdict means and what proved it. */
export function explainVerdict(facts: VerdictFacts): string {
  switch (facts.verdict) {
    case 'AUTHENTIC': {
      const by = facts.authenticatedBy.map((b) => (b === 'pinned-key' ? 'its signature verifies with the pinned key' : 'its SHA-256 matches the one recorded outside it'));
      return `intact, and its origin is proven: ${by.join(' and ')}.`;
    }
    case 'CONSISTENT':
      return `intact in itself, but its origin is not proven: ${facts.signature === 'unchecked' ? 'it is signed, but no key was pinned' : 'no signature was checked'} and no recorded SHA-256 was compared, so a bundle rewritten as a whole would look the same. Pass --pubkey KEY.pub or --sha256 HEX.`;
    case 'TAMPERED':
      return 'something in it was changed after export: see the findings.';
    default:
      return 'it is not a readable kustody bundle.';
  }
}
