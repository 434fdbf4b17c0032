// Attendance in the browser: a teacher takes a lesson's register by keyboard only on a tablet
// (all present, one absent, one late 10 minutes, Enter saves), a pupil's unexcused absence
// reaches the guardian's inbox, and a guardian reads their child's week and term and reports absence on
// a phone. Every page passes axe-core.
import { expect, test, type Page } from '@playwright/test';
import {
  account,
  eventually,
  expectNoAxeViolations,
  expectNoHorizontalOverflow,
  login,
  logout,
  waitForContent,
} from './helpers';

function isoDay(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The latest day in the editing window with a lesson of the teacher's that has begun. */
async function recentLesson(page: Page): Promise<{ date: string; id: string }> {
  for (let back = 0; back <= 6; back++) {
    const day = new Date();
    day.setDate(day.getDate() - back);
    const response = await page.request.get(`/api/lessons?date=${isoDay(day)}`);
    expect(response.ok()).toBeTruthy();
    const lessons = (await response.json()) as { id: string; starts_at: string }[];
    const begun = lessons.find((lesson) => new Date(lesson.starts_at) <= new Date());
    if (begun) return { date: isoDay(day), id: begun.id };
  }
  throw new Error('teacher1 has no lesson in the last week');
}

test.describe('on a tablet', () => {
  test.use({ viewport: { width: 768, height: 1024 } });

  test('a teacher takes a register by keyboard only and it is saved', async ({ page }) => {
    await login(page, 'teacher1');
    const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
    await expect(nav.getByRole('link', { name: 'Lektioner' })).toBeVisible();
    const { date, id } = await recentLesson(page);
    await page.goto(`/lessons?date=${date}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Lektioner' })).toBeVisible();
    await waitForContent(page);
    await expectNoAxeViolations(page);
    await page.locator(`a[href="/lessons/${id}"]`).click();
    await expect(page).toHaveURL(`/lessons/${id}`);
    await waitForContent(page);
    await expectNoAxeViolations(page);
    await expectNoHorizontalOverflow(page);

    const rows = page.locator('table.register tbody tr');
    expect(await rows.count()).toBeGreaterThan(2);
    const allPresent = page.getByRole('button', { name: 'Alla närvarande' });
    await allPresent.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(rows.nth(0).getByRole('button', { name: 'Närvarande' })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(1).getByRole('button', { name: 'Närvarande' })).toBeFocused();
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('l');
    const minutes = rows.nth(2).getByLabel('Minuter frånvaro');
    await expect(minutes).toBeFocused();
    await page.keyboard.type('10');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Sparat' })).toBeVisible();

    await page.reload();
    await waitForContent(page);
    await expect(rows.nth(1).getByRole('button', { name: 'Frånvarande' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(rows.nth(2).getByRole('button', { name: 'Sen' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(rows.nth(2).getByLabel('Minuter frånvaro')).toHaveValue('10');
    await expect(page.locator('.meta .badge')).toHaveText(/Registrerad|Ändrad/);
  });
});

test.describe('on a tablet, then a phone', () => {
  test.use({ viewport: { width: 768, height: 1024 } });

  test("a pupil's unexcused absence reaches the guardian's inbox", async ({ page }) => {
    await login(page, 'teacher1');
    // A begun lesson of teacher1's, in the editing window, with one of guardian1's children.
    const children = account('guardian1').children;
    let found: { date: string; id: string; name: string } | undefined;
    for (let back = 0; back <= 6 && !found; back++) {
      const day = new Date();
      day.setDate(day.getDate() - back);
      const lessons = (await (await page.request.get(`/api/lessons?date=${isoDay(day)}`)).json()) as {
        id: string;
        starts_at: string;
      }[];
      for (const lesson of lessons.filter((l) => new Date(l.starts_at) <= new Date())) {
        const register = await (await page.request.get(`/api/lessons/${lesson.id}/attendance`)).json();
        const mark = (register.marks as { pupil: { id: string; name: string } }[]).find((m) =>
          children.includes(m.pupil.id),
        );
        if (mark) {
          found = { date: isoDay(day), id: lesson.id, name: mark.pupil.name };
          break;
        }
      }
    }
    expect(found, "a begun lesson of teacher1's with a child of guardian1").toBeTruthy();
    const { date, id, name } = found!;
    await page.goto(`/lessons/${id}`);
    await waitForContent(page);
    const row = page.locator('table.register tbody tr').filter({ hasText: name });
    await row.getByRole('button', { name: 'Frånvarande', exact: true }).click();
    await page.getByRole('button', { name: 'Spara närvaron' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Sparat' })).toBeVisible();
    await logout(page);

    // The notice comes after a short delay (2 s in these tests), in the inbox, named by the
    // child's given name.
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, 'guardian1');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Meddelanden' }).click();
    const given = name.split(' ')[0];
    await eventually(page, async () => {
      await expect(
        page.getByRole('heading', { level: 3, name: new RegExp(`^Ogiltig frånvaro ${date}: ${given}`) }),
      ).toBeVisible({ timeout: 1_000 });
    });
    await expectNoAxeViolations(page);
    await expectNoHorizontalOverflow(page);
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("a guardian reads their child's week of attendance", async ({ page }) => {
    const child = account('guardian1').children[0];
    await login(page, 'guardian1');
    await page.goto(`/pupils/${child}/attendance`);
    await expect(page.getByRole('heading', { level: 1, name: 'Närvaro per vecka' })).toBeVisible();
    await waitForContent(page);
    await expect(page.getByRole('heading', { level: 2, name: 'Summering' })).toBeVisible();
    // The term so far, with its absence per subject.
    const term = page.getByRole('region', { name: 'Terminen hittills: Höstterminen' });
    await expect(term).toBeVisible();
    await expect(term.getByRole('table', { name: 'Frånvaro per ämne' })).toBeVisible();
    await expect(term.getByRole('table', { name: 'Frånvaro per ämne' }).getByRole('row')).not.toHaveCount(1);
    await expectNoHorizontalOverflow(page);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Föregående vecka' }).click();
    await expect(page).toHaveURL(/week=/);
    await expect(page.getByRole('heading', { level: 2, name: 'Summering' })).toBeVisible();
  });

  test('a guardian reports their child absent and sees the report', async ({ page }) => {
    const child = account('guardian1').children[0];
    await login(page, 'guardian1');
    await page.goto(`/pupils/${child}/attendance`);
    const section = page.getByRole('region', { name: 'Anmäl frånvaro' });
    await expect(section).toBeVisible();
    await waitForContent(page);

    // A day in the past is refused before anything is sent, at the field.
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    await section.getByLabel('Första dag').fill(isoDay(yesterday));
    await section.getByRole('button', { name: 'Anmäl frånvaro' }).click();
    await expect(section.getByRole('alert')).toContainText('Frånvaro anmäls från i dag och framåt');
    await expect(section.getByLabel('Första dag')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page);

    // A week ahead (so that no register the other tests take is prefilled): the first day that
    // is a school day; weekends and breaks are refused by the server with their own message.
    let reported = '';
    for (let ahead = 7; ahead <= 45 && !reported; ahead++) {
      const day = new Date();
      day.setDate(day.getDate() + ahead);
      await section.getByLabel('Första dag').fill(isoDay(day));
      await section.getByLabel('Meddelande till skolan (frivilligt)').fill('Tandläkarbesök hela dagen.');
      const answer = page.waitForResponse(
        (response) => response.url().endsWith('/absence-reports') && response.request().method() === 'POST',
      );
      await section.getByRole('button', { name: 'Anmäl frånvaro' }).click();
      const status = (await answer).status();
      expect([201, 422]).toContain(status);
      if (status === 201) {
        reported = isoDay(day);
      } else {
        await expect(section.getByRole('alert')).toBeVisible();
      }
    }
    expect(reported, 'a school day within six weeks').not.toBe('');
    await expect(section.getByRole('status')).toContainText('Frånvaron är anmäld');
    await expect(section.getByRole('listitem').filter({ hasText: 'Tandläkarbesök hela dagen.' })).toBeVisible();
    // The same day again overlaps the report.
    await section.getByLabel('Första dag').fill(reported);
    await section.getByRole('button', { name: 'Anmäl frånvaro' }).click();
    await expect(section.getByRole('alert')).toContainText('Frånvaro är redan anmäld');
    await expectNoHorizontalOverflow(page);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: 'test-results/attendance-report-phone-sv.png', fullPage: true });
  });
});

test.describe('on a phone, in both languages', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('an administrator sets a rule for following up absence', async ({ page }) => {
    await login(page, 'admin1');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Frånvaroregler' }).click();
    await expect(page).toHaveURL('/admin/attendance-rules');
    await expect(page.getByRole('heading', { level: 1, name: 'Frånvaroregler' })).toBeVisible();
    await waitForContent(page);
    const rule = page.getByRole('region', { name: 'Hög ogiltig frånvaro' });
    const limit = rule.getByLabel('Gräns (procent av lektionstiden)');
    await limit.fill('0');
    await rule.getByRole('button', { name: /^Spara regeln/ }).click();
    await expect(
      rule.getByRole('alert').getByRole('link', { name: 'Gränsen ligger utanför det tillåtna intervallet för regeln.' }),
    ).toBeVisible();
    await expect(limit).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page);
    await expectNoHorizontalOverflow(page);
    await limit.fill('15');
    await rule.getByLabel('Antal skoldagar bakåt').fill('30');
    await rule.getByRole('button', { name: /^Spara regeln/ }).click();
    await expect(rule.getByRole('status')).toHaveText('Regeln är sparad.');
    await page.reload();
    await waitForContent(page);
    await expect(limit).toHaveValue('15');
    await expect(rule.getByLabel('Antal skoldagar bakåt')).toHaveValue('30');
    // The days-in-a-row rule has no window of its own.
    const inARow = page.getByRole('region', { name: 'Frånvarande flera dagar i rad' });
    await expect(inARow.getByLabel('Antal skoldagar bakåt')).toHaveCount(0);

    await page.getByLabel('Språk').selectOption('en');
    try {
      await expect(page.getByRole('heading', { level: 1, name: 'Absence rules' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'High unexcused absence' }).getByLabel('Limit (percent of lesson time)')).toHaveValue('15');
      await expectNoAxeViolations(page);
    } finally {
      await page.getByLabel('Language').selectOption('sv');
    }
  });
});
