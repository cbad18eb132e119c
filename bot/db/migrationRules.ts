// Rolling upgrades run the new release's first instance (which applies the migrations at start)
// beside instances of the old release on the same PostgreSQL database. So a migration must leave
// the schema usable by the release before it: it may add (tables, nullable columns, columns with a
// default, indexes) but not take away or change what old code reads and writes. Removing
// something is a "contract" migration, shipped a release after the code stopped using it, and
// marked with a `-- contract: <why it is safe now>` line. test/integration/migrationCompat.test.ts
// holds every PostgreSQL migration to these rules.

const BREAKING: [RegExp, string][] = [
  [/\bDROP\s+TABLE\b/i, 'drops a table'],
  [/\bDROP\s+COLUMN\b/i, 'drops a column'],
  [/\bRENAME\b/i, 'renames'],
  [/\bALTER\s+COLUMN\s+"?\w+"?\s+(SET\s+DATA\s+)?TYPE\b/i, "changes a column's type"],
  [/\bSET\s+NOT\s+NULL\b/i, 'makes a column required'],
  [/\bDROP\s+DEFAULT\b/i, "drops a column's default"],
  [/\bALTER\s+TYPE\b|\bDROP\s+TYPE\b/i, 'changes an enum'],
];

/** What in a migration's SQL would break the release before it (empty: nothing, or a marked contract). */
export function breakingChanges(sql: string): string[] {
  if (/^--\s*contract:\s*\S/m.test(sql)) return [];
  const statements = sql
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const found: string[] = [];
  for (const statement of statements) {
    for (const [pattern, what] of BREAKING) if (pattern.test(statement)) found.push(`${what}: ${statement}`);
    // a required column without a default: the old release's inserts do not fill it
    for (const column of statement.match(/\bADD\s+COLUMN\b[^,]*/gi) ?? [])
      if (/\bNOT\s+NULL\b/i.test(column) && !/\bDEFAULT\b/i.test(column))
        found.push(`adds a required column without a default: ${statement}`);
  }
  return found;
}
