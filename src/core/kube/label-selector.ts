/** Kubernetes label selector matching, as the API server does it, for "which policies and Services select this pod". */

/** A LabelSelector as the API returns it. */
export interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

/** Whether a LabelSelector selects objects with these labels; an empty selector selects everything. */
export function selectorMatches(selector: LabelSelectorLike | null | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === null || selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a Service's plain `selector` map selects these labels; a Service without a selector selects nothing. */
export function serviceSelects(selector: Readonly<Record<string, string>> | null | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === null || selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
