// No function in src/run or src/plan is longer than 60 lines: a strategy's order reads at a glance.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const MAX_LINES = 60;
const FOLDERS = ['src/run', 'src/plan'];

const root = path.resolve(__dirname, '..');

/** Every function in a source text, by its name (or the name it is assigned to) and its length in lines. */
function functionsOf(file: string, text: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const nameOf = (node: ts.Node): string => {
    const named = (node as { name?: ts.Node }).name ?? (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.name : undefined);
    return named ? named.getText(source) : `(anonymous at line ${line(node.getStart(source)) + 1})`;
  };
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      if (node.body) found.push({ name: nameOf(node), lines: line(node.end) - line(node.getStart(source)) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function longFunctions(): Record<string, number> {
  const long: Record<string, number> = {};
  for (const folder of FOLDERS)
    for (const name of fs.readdirSync(path.join(root, folder)).filter((n) => n.endsWith('.ts'))) {
      const file = `${folder}/${name}`;
      for (const f of functionsOf(file, fs.readFileSync(path.join(root, file), 'utf8'))) if (f.lines > MAX_LINES) long[`${file} ${f.name}`] = f.lines;
    }
  return long;
}

it('measures functions of every kind', () => {
  const text = 'function a() {\n}\nconst b = () => {\n\n};\nclass C {\n  m() { return 1; }\n}\n';
  expect(functionsOf('x.ts', text)).toEqual([{ name: 'a', lines: 2 }, { name: 'b', lines: 3 }, { name: 'm', lines: 1 }]);
});

it(`has no function over ${MAX_LINES} lines in ${FOLDERS.join(' or ')}`, () => {
  expect(Object.entries(longFunctions()).map(([name, lines]) => `${name}: ${lines} lines`)).toEqual([]);
});
