/**
 * The browser recipe of docs/bundling.md, run as a reader would: its `build.mjs` and `app.ts`
 * blocks (taken from the page, so the page cannot drift) bundle the packed tfjs-free packages for
 * the browser with esbuild, and headless Chromium runs the bundle; the app's console line must
 * show a mesh and a `[2048, 3]` point cloud. Part of `pnpm check:consumer`; skipped, loudly,
 * where Debian's Chromium is missing (`.ci/run` installs it).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

/** The part of playwright-core used here (a devDependency of packages/cellshape, not of the root). */
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[] }): Promise<{
      newPage(): Promise<{
        on(event: 'console', listener: (message: { text(): string }) => void): void;
        on(event: 'pageerror', listener: (error: Error) => void): void;
        setContent(html: string): Promise<void>;
        waitForEvent(event: 'console', options: { timeout: number }): Promise<unknown>;
        addScriptTag(options: { content: string; type: string }): Promise<unknown>;
      }>;
      close(): Promise<void>;
    }>;
  };
}
const SECTION = '## The tfjs-free packages in a browser';

/** The fenced blocks of one language in the section of docs/bundling.md on browsers. */
function sectionBlocks(root: string, language: 'js' | 'ts'): string[] {
  const page = readFileSync(join(root, 'docs', 'bundling.md'), 'utf8');
  const start = page.indexOf(SECTION);
  if (start < 0) throw new Error(`docs/bundling.md has no section "${SECTION}"`);
  const end = page.indexOf('\n## ', start + SECTION.length);
  const section = page.slice(start, end < 0 ? undefined : end);
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...section.matchAll(fence)].map((m) => m[1]!);
}

/** Links esbuild (as tsup, a devDependency, has it) into the consumer project. */
function linkEsbuild(root: string, project: string): void {
  const tsup = createRequire(realpathSync(join(root, 'node_modules', 'tsup', 'package.json')));
  const esbuildDir = dirname(tsup.resolve('esbuild/package.json'));
  const target = join(project, 'node_modules', 'esbuild');
  if (!existsSync(target)) symlinkSync(esbuildDir, target);
}

/** Runs the bundled script in headless Chromium; the lines it logged. */
async function runInChromium(root: string, script: string): Promise<string[]> {
  const cellshape = createRequire(join(root, 'packages', 'cellshape', 'package.json'));
  const { chromium } = cellshape('playwright-core') as Playwright;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const logs: string[] = [];
    const errors: string[] = [];
    page.on('console', (message) => logs.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.setContent('<!doctype html><title>cellshape browser bundle</title>');
    const logged = page.waitForEvent('console', { timeout: 60_000 });
    await page.addScriptTag({ content: script, type: 'module' });
    await logged.catch(() => undefined); // no line: reported below with any page error
    if (errors.length > 0) throw new Error(`browser bundle threw: ${errors.join('\n')}`);
    return logs;
  } finally {
    await browser.close();
  }
}

/** Builds the docs' browser app from the consumer project and runs it in Chromium. */
export async function browserBundle(root: string, project: string): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(
      `check:consumer: SKIPPED the browser bundle: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
    );
    return;
  }
  const [build] = sectionBlocks(root, 'js');
  const [app] = sectionBlocks(root, 'ts');
  if (build === undefined || app === undefined)
    throw new Error('docs/bundling.md: the browser section lost its build.mjs or app.ts block');
  const dir = join(project, 'browser');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'build.mjs'), build);
  writeFileSync(join(dir, 'app.ts'), app);
  linkEsbuild(root, project);
  execFileSync(process.execPath, ['build.mjs'], { cwd: dir, encoding: 'utf8' });
  const logs = await runInChromium(root, readFileSync(join(dir, 'dist', 'app.js'), 'utf8'));
  const line = logs.find((l) => /^\d+ \[2048, 3\] true$/.test(l));
  if (line === undefined || Number(line.split(' ')[0]) <= 0)
    throw new Error(
      `browser bundle: expected "<triangles> [2048, 3] true", the page logged ${JSON.stringify(logs)}`,
    );
  console.log(`check:consumer: docs/bundling.md browser bundle runs in headless Chromium: ${line}`);
}
