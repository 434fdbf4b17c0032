// Case handling in the browser: the distribution queue and the owner's filtered list, and a
// case owner who gives a subtask, solves it as the specialist, and keeps a note.
import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  account,
  apiAs,
  expectNoAxeViolations,
  expectNoHorizontalOverflow,
  fact,
  login,
  logout,
  schoolDay,
  waitForContent,
} from './helpers';

/** A POST with the session's CSRF token, as the SPA sends it. */
async function post(api: APIRequestContext, url: string, data?: unknown) {
  const me = await (await api.get('/api/me')).json();
  const response = await api.post(url, { data, headers: { 'x-csrf-token': me.csrf_token } });
  expect(response.ok(), `POST ${url}: ${response.status()}`).toBeTruthy();
  return response;
}

/** The full name of a demo account, as the API tells it to them. */
async function nameOf(baseURL: string, username: string): Promise<string> {
  const api = await apiAs(baseURL, username);
  const me = await (await api.get('/api/me')).json();
  await api.dispose();
  return `${me.given_name} ${me.family_name}`;
}

/**
 * A two-day leave, `ahead` days from now, for guardian1's child whom teacher1 mentors: applied
 * for, confirmed by guardian2 and routed to teacher1 to decide.
 */
async function leaveRoutedToTeacher1(
  baseURL: string,
  ahead: number,
): Promise<{ case_id: string; number: string }> {
  const teacher = await apiAs(baseURL, 'teacher1');
  const guardian = await apiAs(baseURL, 'guardian1');
  const other = await apiAs(baseURL, 'guardian2');
  const mentored = new Set<string>();
  const groups = (await (await teacher.get('/api/groups')).json()).items;
  for (const group of groups.filter((g: { relation: string }) => g.relation === 'mentor')) {
    const pupils = (await (await teacher.get(`/api/pupils?group=${group.id}`)).json()).items;
    for (const pupil of pupils) mentored.add(pupil.id);
  }
  const child = account('guardian1').children.find((id) => mentored.has(id));
  expect(child, 'a child of guardian1 whom teacher1 mentors').toBeTruthy();
  const submitted = await (
    await post(guardian, '/api/applications/leave', {
      pupil_id: child,
      from: await schoolDay(guardian, ahead),
      to: await schoolDay(guardian, ahead, 2),
      reason: 'Tandläkarbesök på annan ort.',
      attachment: null,
      // Near a long break these days can be those another test applied for: apply anyway.
      confirm_overlap: true,
    })
  ).json();
  await post(other, `/api/applications/leave/${submitted.case_id}/confirmation`);
  await expect
    .poll(
      async () => {
        const list = await (await teacher.get('/api/cases?view=mine&type=leave')).json();
        return list.items.some((item: { id: string }) => item.id === submitted.case_id);
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  for (const api of [teacher, guardian, other]) await api.dispose();
  return submitted;
}

test('a case worker sees the distribution queue and filters their own cases', async ({ page }) => {
  await login(page, 'case_worker1');
  // The start page shows the queue too.
  await expect(page.getByRole('heading', { level: 1, name: 'Fördelningskö' })).toBeVisible();
  await expectNoAxeViolations(page);

  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await nav.getByRole('link', { name: 'Fördelningskö' }).click();
  await expect(page).toHaveURL('/cases/queue');
  await expect(page).toHaveTitle('Fördelningskö – Skolflyt');
  await waitForContent(page);
  // The demo routes every leave application, so the queue may well be empty.
  const queue = page.locator('main ul.cards > li');
  if ((await queue.count()) === 0) {
    await expect(page.getByText('Det finns inga ärenden att fördela.')).toBeVisible();
  } else {
    await expect(queue.first().getByLabel('Handläggare')).toBeVisible();
    await expect(queue.first().getByRole('button', { name: /^Fördela/ })).toBeVisible();
  }
  await expectNoAxeViolations(page);

  await nav.getByRole('link', { name: 'Mina ärenden' }).click();
  await expect(page).toHaveURL('/cases');
  await expect(page.getByRole('heading', { level: 1, name: 'Mina ärenden' })).toBeVisible();
  await waitForContent(page);
  await expectNoAxeViolations(page);

  const filters = page.getByRole('group', { name: 'Filter' });
  await filters.getByLabel('Ärendetyp').selectOption('leave');
  await filters.getByLabel('Bara försenade ärenden').check();
  await filters.getByRole('button', { name: 'Filtrera' }).click();
  await expect(page).toHaveURL(/type=leave/);
  await expect(page).toHaveURL(/overdue=true/);
  await waitForContent(page);
  await expect(filters.getByLabel('Bara försenade ärenden')).toBeChecked();
  await expectNoAxeViolations(page);

  await filters.getByRole('link', { name: 'Rensa filter' }).click();
  await expect(page).toHaveURL('/cases');
});

test('teacher1 opens their subtasks', async ({ page }) => {
  await login(page, 'teacher1');
  await expectNoAxeViolations(page);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina deluppgifter' }).click();
  await expect(page).toHaveURL('/subtasks');
  await expect(page.getByRole('heading', { level: 1, name: 'Mina deluppgifter' })).toBeVisible();
  await expect(page).toHaveTitle('Mina deluppgifter – Skolflyt');
  await waitForContent(page);
  await expectNoAxeViolations(page);
});

test('a case owner gives a subtask, solves it as the specialist, and adds a note', async ({
  page,
  baseURL,
}) => {
  const teacherName = await nameOf(baseURL!, 'teacher1');
  const submitted = await leaveRoutedToTeacher1(baseURL!, 35);

  // The owner gives a subtask to themselves as the specialist.
  await login(page, 'teacher1');
  await expectNoAxeViolations(page);
  await page.goto(`/cases/${submitted.case_id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${submitted.number}` })).toBeVisible();
  await waitForContent(page);
  await expect(fact(page, 'Handläggare')).toHaveText(/\S/);
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Skapa deluppgift' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Välj vem som ska göra deluppgiften.' })).toBeVisible();
  const assignee = page.getByLabel('Ansvarig');
  const mine = await assignee.locator('option', { hasText: teacherName }).getAttribute('value');
  await assignee.selectOption(mine!);
  await page.getByLabel('Beskrivning').fill('Stäm av elevens planering inför ledigheten.');
  await page.getByRole('button', { name: 'Skapa deluppgift' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deluppgiften är skapad.' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'Stäm av elevens planering inför ledigheten.' })).toBeVisible();
  await expectNoAxeViolations(page);

  // A note, with the reminder about sensitive data under the field.
  const note = page.getByLabel('Anteckning', { exact: true });
  await expect(note).toHaveAccessibleDescription(/känsliga personuppgifter/);
  await note.fill('Pratat med vårdnadshavaren om planeringen.');
  await expect(page.getByLabel('Intern anteckning (syns bara för personal)')).toBeChecked();
  await page.getByRole('button', { name: 'Spara anteckning' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Anteckningen är sparad.' })).toBeVisible();
  await expect(page.getByText('Pratat med vårdnadshavaren om planeringen.')).toBeVisible();
  await expectNoAxeViolations(page);

  // As the specialist, teacher1 starts and solves it.
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Mina deluppgifter' }).click();
  await waitForContent(page);
  const card = page.getByRole('listitem').filter({
    has: page.getByRole('heading', { name: 'Stäm av elevens planering inför ledigheten.' }),
  });
  await card.getByRole('button', { name: 'Påbörja' }).click();
  await expect(card.getByText('Påbörjad')).toBeVisible();
  await card.getByLabel('Svar').fill('Planeringen är klar.');
  await card.getByRole('button', { name: 'Markera som löst' }).click();
  await expect(card.getByRole('status')).toHaveText('Deluppgiften är löst.');
  await expectNoAxeViolations(page);
});

test('a mentor hands a leave over to the principal, who is told and finds the note', async ({
  page,
  baseURL,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const submitted = await leaveRoutedToTeacher1(baseURL!, 42);
  const principalName = await nameOf(baseURL!, 'principal1');
  const teacherName = await nameOf(baseURL!, 'teacher1');
  const note = 'Jag är på studieresa den veckan. Rektor känner familjen.';

  await login(page, 'teacher1');
  await page.goto(`/cases/${submitted.case_id}`);
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${submitted.number}` })).toBeVisible();
  await waitForContent(page);
  const form = page.locator('#handover');
  await expect(form.getByRole('heading', { level: 2, name: 'Lämna över ärendet' })).toBeVisible();
  // Sent without choosing: both problems named, each tied to its input.
  await form.getByRole('button', { name: 'Lämna över' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Välj en person eller ett team att lämna över till.' })).toBeVisible();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Skriv en anteckning till mottagaren.' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalOverflow(page);
  await form.getByLabel('Lämna över till').selectOption({ label: `${principalName} – får besluta` });
  await form.getByLabel('Anteckning till mottagaren').fill(note);
  await form.getByRole('button', { name: 'Lämna över' }).click();
  // teacher1 no longer reaches the case: back to their own cases, without it.
  await expect(page).toHaveURL('/cases');
  await waitForContent(page);
  await expect(page.getByRole('link', { name: submitted.number })).toHaveCount(0);
  await logout(page);

  await login(page, 'principal1');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Meddelanden' }).click();
  await waitForContent(page);
  await expect(
    page
      .getByRole('region', { name: `Ärende ${submitted.number}` })
      .getByRole('heading', { level: 3, name: `Ärende ${submitted.number} har lämnats över till dig` }),
  ).toBeVisible();
  await expect(page.getByText(note).first()).toBeVisible();
  await expectNoAxeViolations(page);
  await page.goto(`/cases/${submitted.case_id}`);
  await waitForContent(page);
  await expect(fact(page, 'Handläggare')).toHaveText(principalName);
  const handover = page.getByRole('listitem').filter({ hasText: `Ärendet lämnades över till ${principalName}: ${note}` });
  await expect(handover).toBeVisible();
  await expect(handover).toContainText(teacherName);
  await expect(page.getByRole('button', { name: 'Fatta beslut' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalOverflow(page);
});
