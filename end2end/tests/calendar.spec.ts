// The school calendar in the browser: an administrator adds a study day on a phone, is told
// what is missing, saves it and sees the term lose a school day, then removes it again. The
// page passes axe-core in Swedish and English. The study day is late in the school year, away
// from the days the other specs take registers on, and it is removed at the end.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalOverflow, login, waitForContent } from './helpers';

test.describe('school calendar on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('an administrator adds a study day and removes it again', async ({ page }) => {
    await login(page, 'admin1');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Skolkalender' }).click();
    await expect(page).toHaveURL('/admin/calendar');
    await expect(page.getByRole('heading', { level: 1, name: 'Skolkalender' })).toBeVisible();
    await waitForContent(page);
    const springDays = page.getByText(/^Vårterminen: \d+ skoldagar$/);
    const before = Number((await springDays.textContent())?.match(/\d+/)?.[0]);

    await page.getByRole('button', { name: 'Lägg till lov eller studiedag' }).click();
    const added = page.getByRole('group', { name: 'Lov eller studiedag', exact: true });
    await expect(added.getByLabel('Namn på svenska')).toBeFocused();
    await added.getByLabel('Namn på engelska').fill('Staff training day');
    await added.getByLabel('Första dag').fill('2027-05-14');
    await added.getByLabel('Sista dag').fill('2027-05-14');
    await page.getByRole('button', { name: 'Spara kalendern' }).click();
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: 'Skriv namnet på svenska.' })).toBeVisible();
    await summary.getByRole('link', { name: 'Skriv namnet på svenska.' }).click();
    await expect(added.getByLabel('Namn på svenska')).toBeFocused();
    await expect(added.getByLabel('Namn på svenska')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(page);
    await expectNoHorizontalOverflow(page);

    await added.getByLabel('Namn på svenska').fill('Studiedag');
    try {
      await page.getByRole('button', { name: 'Spara kalendern' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Kalendern är sparad.' })).toBeVisible();
      await expect(springDays).toHaveText(`Vårterminen: ${before - 1} skoldagar`);
      await expect(page.getByRole('group', { name: 'Lov eller studiedag: Studiedag' })).toBeVisible();

      await page.getByLabel('Språk').selectOption('en');
      try {
        await expect(page.getByRole('heading', { level: 1, name: 'School calendar' })).toBeVisible();
        await expect(page.getByRole('group', { name: 'Break or staff training day: Staff training day' })).toBeVisible();
        await expectNoAxeViolations(page);
      } finally {
        await page.getByLabel('Language').selectOption('sv');
      }
    } finally {
      await page.reload();
      await waitForContent(page);
      const studyDay = page.getByRole('group', { name: 'Lov eller studiedag: Studiedag' });
      if ((await studyDay.count()) > 0) {
        await studyDay.getByRole('button', { name: /^Ta bort/ }).click();
        await page.getByRole('button', { name: 'Spara kalendern' }).click();
        await expect(page.getByRole('status').filter({ hasText: 'Kalendern är sparad.' })).toBeVisible();
      }
    }
    await expect(springDays).toHaveText(`Vårterminen: ${before} skoldagar`);
  });
});
