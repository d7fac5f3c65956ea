import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const folders = (dir: string) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

type NestProject = { type: string; root: string; entryFile: string; sourceRoot: string };

/**
 * The Nest CLI's map of the monorepo names every app and library there is, and nothing else (it
 * was once five libraries and the benchmark behind, and named a library that no longer existed).
 */
describe('the workspace', () => {
  const nest = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
    monorepo: boolean;
    projects: Record<string, NestProject>;
  };

  it('nest-cli.json lists every app and library folder as a project, each with its entry file', () => {
    expect(nest.monorepo).toBe(true);
    const listed = Object.values(nest.projects);
    expect(
      listed
        .filter((p) => p.type === 'application')
        .map((p) => p.root)
        .sort(),
    ).toEqual(folders('apps').map((a) => `apps/${a}`));
    expect(
      listed
        .filter((p) => p.type === 'library')
        .map((p) => p.root)
        .sort(),
    ).toEqual(folders('libs').map((l) => `libs/${l}`));
    for (const project of listed) {
      expect(project.sourceRoot).toBe(`${project.root}/src`);
      expect([project.root, existsSync(join(ROOT, project.sourceRoot, `${project.entryFile}.ts`))]).toEqual([
        project.root,
        true,
      ]);
    }
  });
});
