// The leave e-service end to end, on a phone: a guardian applies, the other guardian confirms,
// the mentor decides, and the family reads the decision and downloads the letter.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import {
  account,
  apiAs,
  eventually,
  expectNoAxeViolations,
  expectNoHorizontalOverflow,
  fact,
  login,
  logout,
  schoolDay,
  waitForContent,
} from './helpers';

test.use({ viewport: { width: 360, height: 740 } });

/** `YYYY-MM-DD` of a local date. */
function iso(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The Monday after today (a week ahead when today is a Monday), plus `days`. */
function nextMonday(days = 0): string {
  const day = new Date();
  const untilMonday = (8 - day.getDay()) % 7 || 7;
  day.setDate(day.getDate() + untilMonday + days);
  return iso(day);
}

/** Checks the page with axe and that nothing scrolls sideways on the phone. */
async function expectAccessible(page: Page) {
  await expectNoAxeViolations(page);
  await expectNoHorizontalOverflow(page);
}

/** Reloads until `check` passes: automated steps (routing, the decision letter) run as jobs. */
/** The one of guardian1's children whom teacher1 mentors (leave up to 10 days goes there). */
async function menteeOfTeacher1(baseURL: string): Promise<{ id: string; name: string }> {
  const api = await apiAs(baseURL, 'teacher1');
  const children = account('guardian1').children;
  const groups = (await (await api.get('/api/groups')).json()).items as {
    id: string;
    relation: string;
  }[];
  for (const group of groups.filter((candidate) => candidate.relation === 'mentor')) {
    const pupils = (await (await api.get(`/api/pupils?group=${group.id}`)).json()).items as {
      id: string;
      given_name: string;
      family_name: string;
    }[];
    const child = pupils.find((pupil) => children.includes(pupil.id));
    if (child) {
      await api.dispose();
      return { id: child.id, name: `${child.given_name} ${child.family_name}` };
    }
  }
  throw new Error('teacher1 mentors none of guardian1’s children');
}

test('an empty leave application names every missing field, tied to its input', async ({ page }) => {
  await login(page, 'guardian3');
  await expectAccessible(page);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Ansök om ledighet' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ansök om ledighet' })).toBeVisible();
  await expect(page).toHaveTitle('Ansök om ledighet – Skolflyt');
  await waitForContent(page);
  await page.getByRole('button', { name: 'Skicka ansökan' }).click();

  const summary = page.getByRole('alert').filter({ hasText: 'Det finns fel i formuläret' });
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link', { name: 'Ange första dagen för ledigheten.' })).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Skriv skälet till ledigheten.' })).toBeVisible();
  const from = page.getByLabel('Första dag');
  await expect(from).toHaveAttribute('aria-invalid', 'true');
  await expect(from).toHaveAccessibleDescription(/Ange första dagen för ledigheten\./);
  await summary.getByRole('link', { name: 'Ange första dagen för ledigheten.' }).click();
  await expect(from).toBeFocused();
  await expectAccessible(page);

  await from.fill(nextMonday(2));
  await page.getByLabel('Sista dag').fill(nextMonday());
  await page.getByRole('button', { name: 'Skicka ansökan' }).click();
  await expect(summary.getByRole('link', { name: 'Sista dagen kan inte vara före första dagen.' })).toBeVisible();
  await expectAccessible(page);
});

test('leave from application to decision letter, on a phone', async ({ page, baseURL }) => {
  const child = await menteeOfTeacher1(baseURL!);
  const reason = 'Släktbröllop i Göteborg.';

  // guardian1 applies for three school days.
  await login(page, 'guardian1');
  await expectAccessible(page);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Ansök om ledighet' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ansök om ledighet' })).toBeVisible();
  await waitForContent(page);
  await expectAccessible(page);
  await page.getByRole('radio', { name: new RegExp(child.name) }).check();
  // Three school days by the calendar, a week or more ahead (a break in between is skipped).
  const calendar = await apiAs(baseURL!, 'guardian1');
  const [first, third] = [await schoolDay(calendar, 7), await schoolDay(calendar, 7, 3)];
  await calendar.dispose();
  await page.getByLabel('Första dag').fill(first);
  await page.getByLabel('Sista dag').fill(third);
  // Before sending, the form tells the count and who decides.
  await expect(page.locator('#leave-school-days')).toHaveText(
    '3 skoldagar enligt skolkalendern (lov och helgdagar räknas inte). Mentorn beslutar.',
  );
  await page.getByLabel('Skäl till ledigheten').fill(reason);
  await page.getByRole('button', { name: 'Skicka ansökan' }).click();

  const sent = page.getByRole('heading', { level: 2, name: 'Ansökan är skickad' });
  await expect(sent).toBeFocused();
  const number = (await page.locator('.case-number strong').textContent())!.trim();
  expect(number).toMatch(/^\d{4}\/\d{5}$/);
  await expect(page.getByText('Barnets andra vårdnadshavare måste bekräfta ansökan')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Visa ärendet i Mina ärenden' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await expect(page).toHaveTitle(`Ärende ${number} – Skolflyt`);
  await expect(page.getByText('Väntar på den andra vårdnadshavaren.')).toBeVisible();
  await expect(fact(page, 'Skäl')).toHaveText(reason);
  await expect(fact(page, 'Skoldagar')).toHaveText('3');
  await expect(page.getByRole('button', { name: 'Bekräfta ansökan' })).toHaveCount(0);
  await expectAccessible(page);
  await logout(page);

  // guardian2 confirms in My cases.
  await login(page, 'guardian2');
  await expectAccessible(page);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina ärenden' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mina ärenden' })).toBeVisible();
  await waitForContent(page);
  await expectAccessible(page);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await waitForContent(page);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Bekräfta ansökan' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Du har bekräftat ansökan.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Bekräfta ansökan' })).toHaveCount(0);
  await expectAccessible(page);
  await logout(page);

  // teacher1, the child's mentor, finds it among the applications to decide once routed.
  await login(page, 'teacher1');
  const toDecide = page.locator('#leave-decisions');
  await expect(page.getByRole('heading', { level: 2, name: 'Ansökningar att besluta' })).toBeVisible();
  await eventually(page, async () => {
    await expect(toDecide.getByRole('link', { name: number })).toBeVisible({ timeout: 1_000 });
  });
  await expectAccessible(page);
  await toDecide.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await waitForContent(page);
  await expect(fact(page, 'Skäl')).toHaveText(reason);
  await expectAccessible(page);
  await page.getByRole('radio', { name: 'Bevilja' }).check();
  await page.getByLabel('Motivering').fill('Ledigheten är kort och skolarbetet planeras in i förväg.');
  await page.getByRole('button', { name: 'Fatta beslut' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Beslutet är fattat.' })).toBeVisible();
  await expect(fact(page, 'Beslut')).toHaveText('Beviljad');
  await expectAccessible(page);
  await logout(page);

  // guardian1 reads the decision and downloads the letter, once the automated steps made it.
  await login(page, 'guardian1');
  await expectAccessible(page);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina ärenden' }).click();
  await waitForContent(page);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  const letter = page.getByRole('link', { name: 'Beslutsbrev' });
  await eventually(page, async () => {
    await expect(letter).toBeVisible({ timeout: 1_000 });
  });
  await expect(fact(page, 'Beslut')).toHaveText('Beviljad');
  await expect(fact(page, 'Motivering')).toHaveText('Ledigheten är kort och skolarbetet planeras in i förväg.');
  await expect(fact(page, 'Lagrum')).toContainText('7 kap. 18 §');
  await expect(page.getByRole('heading', { name: 'Så överklagar du' })).toBeVisible();
  await expectAccessible(page);

  const downloading = page.waitForEvent('download');
  await letter.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');

  // The decision also reached the inbox.
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Meddelanden' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Meddelanden' })).toBeVisible();
  await waitForContent(page);
  // Grouped under the case's number, the decision once (not also as a status notice).
  const group = page.getByRole('region', { name: `Ärende ${number}` });
  await expect(group.getByRole('heading', { level: 3, name: `Beslut i ärende ${number}` })).toBeVisible();
  await expect(group.getByRole('heading', { level: 3, name: `Ärende ${number}: Beslut fattat` })).toHaveCount(0);
  await expectAccessible(page);
});

test('the other guardian declines with a reason, and the family sees who read the data', async ({
  page,
  baseURL,
}) => {
  const child = await menteeOfTeacher1(baseURL!);
  const api = await apiAs(baseURL!, 'guardian1');
  const me = await (await api.get('/api/me')).json();
  const day = await schoolDay(api, 14);
  const submitted = await api.post('/api/applications/leave', {
    // Near a long break this day can be the one the first test applied for: apply anyway.
    data: { pupil_id: child.id, from: day, to: day, reason: 'Tandläkare i Umeå', confirm_overlap: true },
    headers: { 'x-csrf-token': me.csrf_token },
  });
  expect(submitted.status()).toBe(201);
  const number = (await submitted.json()).number as string;
  await api.dispose();

  await login(page, 'guardian2');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina ärenden' }).click();
  await waitForContent(page);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await waitForContent(page);
  await expect(page.getByRole('button', { name: 'Återkalla' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Säg nej till ansökan' }).click();
  await expect(page.getByText('Skriv varför du inte håller med.')).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Varför håller du inte med?').fill('Vi har inte pratat om resan.');
  await page.getByRole('button', { name: 'Säg nej till ansökan' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Du har sagt nej.' })).toBeVisible();
  await expectAccessible(page);

  // Who has read the child's data: guardian2 did, just now.
  await page.goto('/my/cases');
  await page.getByRole('link', { name: 'Vem har läst mina eller mitt barns uppgifter?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vem har läst mina uppgifter' })).toBeVisible();
  await waitForContent(page);
  await page.getByLabel('Vems uppgifter').selectOption({ label: child.name });
  await page.getByRole('button', { name: 'Visa' }).click();
  await expect(page).toHaveURL(new RegExp(`person=${child.id}`));
  const table = page.getByRole('table', { name: new RegExp(child.name) });
  await expect(table.getByRole('cell', { name: 'läste ärendet i Mina ärenden' }).first()).toBeVisible();
  await expectAccessible(page);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Ladda ner som PDF' }).click();
  const bytes = readFileSync((await (await downloading).path())!);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
});
