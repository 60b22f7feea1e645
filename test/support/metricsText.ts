// Prometheus text as the tests read it: every series carries the node's `node` label (a default
// label of the registry, see src/infra/metrics.ts); tests that look for one series by its own
// labels read the text without it.
export function withoutNodeLabel(text: string): string {
  return text.replace(/\{node="[^"]*"\}/g, '').replace(/,node="[^"]*"/g, '').replace(/\{node="[^"]*",/g, '{');
}
