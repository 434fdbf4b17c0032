// The e-service runner on a phone, with the seeded IKE e-service: an adult student answers one
// step at a time, saves and comes back later, checks the answers and submits; the case worker
// finds the case with the submission's receipt.
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalOverflow, login, logout, waitForContent } from './helpers';

test.use({ viewport: { width: 360, height: 740 } });

function iso(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function inDays(days: number): string {
  const day = new Date();
  day.setDate(day.getDate() + days);
  return iso(day);
}

async function expectAccessible(page: Page) {
  await expectNoAxeViolations(page);
  await expectNoHorizontalOverflow(page);
}

test('an adult student applies for IKE step by step, saves, resumes and submits', async ({ page }) => {
  const course = `Svenska 3 (${Date.now()})`;
  await login(page, 'pupil1');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'E-tjänster' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'E-tjänster' })).toBeVisible();
  await waitForContent(page);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-services-list-phone-sv.png', fullPage: true });
  await page.getByRole('link', { name: /Ansökan om studier i en annan kommun/ }).click();

  await expect(page.getByRole('heading', { level: 2, name: /^Steg 1 av 3/ })).toBeVisible();
  await waitForContent(page);
  await expectAccessible(page);
  // Next with nothing filled in: the errors are named per field.
  await page.getByRole('button', { name: 'Nästa' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 1 av 3/ })).toBeVisible();
  await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-services-errors-phone-sv.png', fullPage: true });

  await page.getByRole('radio', { name: 'Sundsvalls kommun' }).check();
  await page.getByLabel('Utbildningsanordnare').fill('Sundsvalls Vuxenutbildning');
  await page.getByLabel('Kurs eller program').fill(course);
  await page.getByLabel('Första dag').fill(inDays(30));
  await page.getByLabel('Sista dag').fill(inDays(120));
  await page.getByRole('button', { name: 'Nästa' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 2 av 3/ })).toBeVisible();
  await page.getByLabel('Varför vill du studera i den andra kommunen?').fill('Kursen ges inte här i vår.');
  await page.getByRole('button', { name: 'Spara och fortsätt senare' }).click();
  await expect(page.getByText(/Dina svar är sparade/)).toBeVisible();
  await expectAccessible(page);

  // Later: the answers are still there, on the step where they were saved.
  await page.goto('/');
  await page.goto('/e-services/ike');
  await expect(page.getByText(/Du fortsätter med svaren du sparade/)).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 2 av 3/ })).toBeVisible();
  await expect(page.getByLabel('Varför vill du studera i den andra kommunen?')).toHaveValue(
    'Kursen ges inte här i vår.',
  );
  await page.getByRole('checkbox', { name: /Jag intygar att uppgifterna är riktiga/ }).check();
  await page.getByRole('button', { name: 'Nästa' }).click();

  await expect(page.getByRole('heading', { name: 'Kontrollera dina svar' })).toBeVisible();
  await expect(page.getByText(course)).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-services-review-phone-sv.png', fullPage: true });
  await page.getByRole('button', { name: 'Skicka' }).click();

  const sent = page.getByRole('heading', { name: 'Tack, din ansökan har kommit in' });
  await expect(sent).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-services-receipt-phone-sv.png', fullPage: true });
  await page.getByRole('link', { name: 'Visa ärendet i Mina ärenden' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Ärende \d{4}\/\d{5}$/ })).toBeVisible();
  const number = (await page.getByRole('heading', { level: 1 }).textContent())!.replace('Ärende ', '').trim();
  await expect(page.getByText(course)).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  // The case worker finds it in the queue with the receipt of the submission.
  await login(page, 'case_worker1');
  await page.goto('/cases/queue');
  await waitForContent(page);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await waitForContent(page);
  await expect(page.getByText(/Kvitto: Ansökan om studier i en annan kommun/).first()).toBeVisible();
  await expect(page.getByText(course)).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-services-case-phone-sv.png', fullPage: true });
});

test.describe('on a desktop, in English', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  // pupil2 signs in nowhere else, so a failure here leaves no one in English.
  test('the e-service list and a step read in English and pass axe', async ({ page }) => {
    await login(page, 'pupil2');
    await page.getByLabel('Språk').selectOption('en');
    try {
      await page.goto('/e-services');
      await expect(page.getByRole('heading', { level: 1, name: 'E-services' })).toBeVisible();
      await waitForContent(page);
      await expectAccessible(page);
      await page.screenshot({ path: 'test-results/e-services-list-desktop-en.png', fullPage: true });
      await page.getByRole('link', { name: /Studying in another municipality/ }).click();
      await expect(page.getByRole('heading', { level: 2, name: /^Step 1 of 3/ })).toBeVisible();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
      await expectAccessible(page);
      await page.screenshot({ path: 'test-results/e-services-step-desktop-en.png', fullPage: true });
    } finally {
      await page.getByLabel('Language').selectOption('sv');
      await expect(page.getByLabel('Språk')).toBeVisible();
    }
  });
});
