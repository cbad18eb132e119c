// The layers hold: each rule below is checked on the imports of the source tree (type-only ones
// included), and the same checker is shown failing on planted violations.
//   - bot/services (the domain) imports no Bot Framework SDK, no dialogs, cards or channels;
//   - cards (channel-neutral messages) import nothing from dialogs;
//   - dialogs reach the database only through bot/services (no value import of bot/db, no query);
//   - a channel (bot/channels/<name>) imports no other channel;
//   - no import cycle;
//   - no value import of an SDK entry point that loads what the bot never uses (memory, README
//     Performance): botbuilder-dialogs's index (dialogs/sdk.ts imports its classes one by one), the
//     whole recognizers suite, and botbuilder itself but for the Bot Framework channel's lazy import.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../bot/runtime/paths';

type Tree = Map<string, string>; // path relative to the project -> source text

const SOURCES = ['bot', 'cards', 'dialogs'];
const SKIP_DIRS = new Set(['node_modules', 'test', 'testdata', 'public', 'views', 'generated']);

function readTree(): Tree {
  const tree: Tree = new Map();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(rel);
      } else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts') && !rel.endsWith('.test.ts'))
        tree.set(rel, fs.readFileSync(path.join(projectRoot, rel), 'utf8'));
    }
  };
  SOURCES.forEach(walk);
  tree.set('index.ts', fs.readFileSync(path.join(projectRoot, 'index.ts'), 'utf8'));
  return tree;
}

interface Import {
  /** as written */
  specifier: string;
  /** the project file it names (relative imports), if any */
  target?: string;
  typeOnly: boolean;
}

/** Every import and re-export of a file (static, dynamic and `import type` alike). */
function importsOf(file: string, text: string, tree: Tree): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    let target: string | undefined;
    if (specifier.startsWith('.')) {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      target = [`${base}.ts`, `${base}/index.ts`].find((c) => tree.has(c)) ?? `${base}.ts`;
    }
    out.push({ specifier, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const under = (file: string | undefined, dir: string) => !!file && (file === dir || file.startsWith(`${dir}/`));
// bot/channels/<name>/...: a channel; a file directly under bot/channels (the notifier) is shared by all.
const channelOf = (file: string | undefined) => {
  const parts = file?.split('/') ?? [];
  return under(file, 'bot/channels') && parts.length > 3 ? parts[2] : undefined;
};
/** A query on a Prisma client, written in a dialog: `db.booking.findMany(`, `.$transaction(`... */
const QUERY =
  /\bdb\s*\.\s*(?:\$(?:queryRaw|executeRaw|transaction)\w*|[a-z]\w*\s*\.\s*(?:find\w*|create\w*|update\w*|delete\w*|upsert|count|aggregate|groupBy))\s*\(/;

/** Entry points too heavy to load for what we use of them, and where they may be loaded anyway. */
const HEAVY: Record<string, string | undefined> = {
  'botbuilder-dialogs': undefined,
  '@microsoft/recognizers-text-suite': undefined,
  botbuilder: 'bot/channels/botframework',
};

/** The violations of the layers' rules in a tree, as sentences. */
function violations(tree: Tree): string[] {
  const found: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, text] of tree) {
    const imports = importsOf(file, text, tree);
    graph.set(
      file,
      imports.flatMap((i) => (i.target && tree.has(i.target) ? [i.target] : [])),
    );
    for (const i of imports) {
      const to = i.target ?? i.specifier;
      if (
        under(file, 'bot/services') &&
        (/^botbuilder/.test(i.specifier) ||
          under(i.target, 'dialogs') ||
          under(i.target, 'cards') ||
          under(i.target, 'bot/channels'))
      )
        found.push(`${file} (domain) imports ${to}`);
      if (under(file, 'cards') && under(i.target, 'dialogs')) found.push(`${file} (cards) imports ${to}`);
      if (under(file, 'dialogs') && under(i.target, 'bot/db') && !i.typeOnly)
        found.push(`${file} (dialogs) imports the database module ${to}`);
      if (i.specifier in HEAVY && !i.typeOnly && !under(file, HEAVY[i.specifier] ?? '-'))
        found.push(`${file} loads the whole of ${i.specifier}`);
      const [a, b] = [channelOf(file), channelOf(i.target)];
      if (a && b && a !== b) found.push(`${file} (channel ${a}) imports ${to} (channel ${b})`);
    }
    if (under(file, 'dialogs') && QUERY.test(text))
      found.push(`${file} (dialogs) queries the database directly: ${QUERY.exec(text)![0]}`);
  }
  for (const cycle of cycles(graph)) found.push(`import cycle: ${cycle.join(' -> ')}`);
  return found;
}

/** The import cycles (strongly connected components of more than one file, or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return out;
}

const tree = readTree();

test('the source tree keeps its layers: no violation', () => {
  expect(tree.size).toBeGreaterThan(150);
  expect(violations(tree)).toEqual([]);
});

test('the checker finds each kind of violation when one is planted', () => {
  const planted = new Map(tree);
  const add = (file: string, line: string) => planted.set(file, `${line}\n${planted.get(file) ?? ''}`);
  add('bot/services/people.ts', "import { TurnContext } from 'botbuilder';");
  add('bot/services/workshops.ts', "import type { MenuEntry } from '../../dialogs/mainDialog';");
  add('cards/format.ts', "import { MAIN_DIALOG } from '../dialogs/ids';");
  add('dialogs/agendaDialog.ts', "import { openDatabase } from '../bot/db/client';");
  add('dialogs/shiftsDialog.ts', 'const rows = () => deps.db.shift.findMany({});');
  add('bot/channels/whatsapp/renderer.ts', "import { BASE } from '../webchat/directLine';");
  add('dialogs/languageDialog.ts', "import { TextPrompt } from 'botbuilder-dialogs';");
  add('dialogs/recognizers/yesNo.ts', "import { recognizeDateTime } from '@microsoft/recognizers-text-suite';");
  add('bot/channels/webchat/renderer.ts', "import { CloudAdapter } from 'botbuilder';");
  // notifications -> messages -> notifications
  add('cards/messages.ts', "import type { Message as M } from './notifications';");
  const found = violations(planted);
  expect(found).toEqual(
    expect.arrayContaining([
      'bot/services/people.ts (domain) imports botbuilder',
      'bot/services/workshops.ts (domain) imports dialogs/mainDialog.ts',
      'cards/format.ts (cards) imports dialogs/ids.ts',
      'dialogs/agendaDialog.ts (dialogs) imports the database module bot/db/client.ts',
      'dialogs/shiftsDialog.ts (dialogs) queries the database directly: db.shift.findMany(',
      'bot/channels/whatsapp/renderer.ts (channel whatsapp) imports ' +
        'bot/channels/webchat/directLine.ts (channel webchat)',
      'dialogs/languageDialog.ts loads the whole of botbuilder-dialogs',
      'dialogs/recognizers/yesNo.ts loads the whole of @microsoft/recognizers-text-suite',
      'bot/channels/webchat/renderer.ts loads the whole of botbuilder',
    ]),
  );
  expect(
    found.some(
      (v) => v.startsWith('import cycle:') && v.includes('cards/messages.ts') && v.includes('cards/notifications.ts'),
    ),
  ).toBe(true);
  // A type-only import of the database's types is allowed in dialogs (their deps name the client's type).
  expect(
    violations(
      new Map([...tree, ['dialogs/extra.ts', "import type { Db } from '../bot/db/client';\nexport type X = Db;"]]),
    ),
  ).toEqual([]);
});
