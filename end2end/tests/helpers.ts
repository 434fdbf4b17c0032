// Shared by every spec: the demo logins, signing in, and the axe-core check each page must pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, request, type APIRequestContext, type Locator, type Page } from '@playwright/test';

export type Role =
  | 'guardian'
  | 'pupil'
  | 'teacher'
  | 'principal'
  | 'provider_admin'
  | 'case_worker'
  | 'registrar'
  | 'admin';

/** One line of `skolflyt demo-accounts`. */
export interface Account {
  role: Role;
  username: string;
  password: string;
  person_id: string;
  /** A guardian's children (person ids); empty for everyone else. */
  children: string[];
}

const accountsFile = path.resolve(__dirname, '..', '.accounts.jsonl');
let cached: Account[] | undefined;

/** The demo logins server.sh wrote before the server started (read on first use). */
export function accounts(): Account[] {
  cached ??= readFileSync(accountsFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Account);
  return cached;
}

export function account(username: string): Account {
  const found = accounts().find((candidate) => candidate.username === username);
  if (!found) throw new Error(`no demo account ${username} in ${accountsFile}`);
  return found;
}

/** The login page's form, in Swedish (the language before anyone has signed in). */
export async function fillLoginForm(page: Page, username: string, password: string) {
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

/**
 * Signs in through the login page and waits for the start page. Accounts whose stored language
 * is English are not supported here: the tests that switch language switch back.
 */
export async function login(page: Page, username: string) {
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Logga in' })).toBeVisible();
  await fillLoginForm(page, username, account(username).password);
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('button', { name: 'Logga ut' })).toBeVisible();
}

/** Signs out with the header's button and waits for the login page. */
export async function logout(page: Page) {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await expect(page).toHaveURL('/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Logga in' })).toBeVisible();
}

/** An API client signed in as `username`, for facts the page under test must not reveal. */
export async function apiAs(baseURL: string, username: string): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL });
  const response = await api.post('/api/auth/login', {
    data: { username, password: account(username).password },
  });
  expect(response.ok(), `API login as ${username}`).toBeTruthy();
  return api;
}

/** Waits until no list or record on the page is still loading ("Laddar…" / "Loading…"). */
export async function waitForContent(page: Page) {
  await expect(page.getByRole('status').filter({ hasText: /^(Laddar|Loading)…$/ })).toHaveCount(0);
}

const wcag21aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core on the page as it is now; fails listing every WCAG 2.1 A/AA violation. */
/** Reloads the page until `check` passes (automated steps run in the background). */
export async function eventually(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await waitForContent(page);
    await check();
  }).toPass({ timeout: 15_000, intervals: [500, 1_000, 2_000] });
}

export async function expectNoAxeViolations(page: Page) {
  await waitForContent(page);
  const results = await new AxeBuilder({ page }).withTags(wcag21aa).analyze();
  const violations = results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes.map((node) => `    ${node.target.join(' ')}`).join('\n'),
  );
  expect(violations, `axe-core WCAG 2.1 A/AA violations on ${page.url()}`).toEqual([]);
}

/** The `<dd>` that follows a `<dt>` with exactly this text in a facts list. */
export function fact(scope: Page | Locator, term: string): Locator {
  return scope
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/**
 * The cell of `row` (a `<th scope="row">` and `<td>`s) under the column header `header` of
 * `table`.
 */
export async function cellUnder(table: Locator, row: Locator, header: string): Promise<Locator> {
  const headers = (await table.getByRole('columnheader').allTextContents()).map((t) => t.trim());
  const column = headers.indexOf(header);
  expect(column, `column "${header}" among ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return row.locator(':scope > th, :scope > td').nth(column);
}

/** Fails when the page scrolls sideways at the current viewport width. */
export async function expectNoHorizontalOverflow(page: Page) {
  const { scrollWidth, viewport } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(scrollWidth, `page width at a ${viewport} px viewport`).toBeLessThanOrEqual(viewport + 1);
}

/**
 * The `n`th school day (1 = the first) at least `ahead` days from today, by the server's
 * school calendar, as `YYYY-MM-DD`: a leave on it is never refused for falling in a break.
 */
export async function schoolDay(api: APIRequestContext, ahead: number, n = 1): Promise<string> {
  const pad = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const from = new Date();
  from.setDate(from.getDate() + ahead);
  const to = new Date(from);
  to.setDate(to.getDate() + 90);
  const answer = await api.get(`/api/calendar/school-days?from=${pad(from)}&to=${pad(to)}`);
  expect(answer.status()).toBe(200);
  const days = (await answer.json()).days as string[];
  expect(days.length, 'school days within 90 days').toBeGreaterThanOrEqual(n);
  return days[n - 1];
}
