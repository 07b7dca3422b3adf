// The one "is this parsed JSON an object I may read by key" check: not null, not an array.
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
