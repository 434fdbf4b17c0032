// The operator's page: schedules with their next run and the job queue, for administrators
// only.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, login, waitForContent } from './helpers';

test('an administrator sees the schedules, their next run and the queue', async ({ page }) => {
  await login(page, 'admin1');
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await nav.getByRole('link', { name: 'Drift' }).click();
  await expect(page).toHaveURL('/operations');
  await expect(page).toHaveTitle('Drift – Skolflyt');
  await waitForContent(page);
  const schedules = page.getByRole('table', { name: 'Schemalagda körningar' });
  await expect(schedules).toBeVisible();
  // The six seeded schedules (and the header row), each with a cron expression in Stockholm
  // time and a next run; the planning export among them.
  await expect(schedules.getByRole('row')).toHaveCount(7);
  await expect(schedules).toContainText('till planeringssystemet kl. 18');
  await expect(schedules).toContainText('Europe/Stockholm');
  await expect(page.getByRole('term').filter({ hasText: /^Klara$/ })).toBeVisible();
  // The demo's failed step is listed with its error: the welcome e-mail, with no mail server.
  const failures = page.getByRole('table', { name: 'Senaste misslyckade steg' });
  await expect(failures).toContainText('messages.email');
  await expect(failures).toContainText('e-mail is not configured');
  await expectNoAxeViolations(page);
});

test('others get no operations link and are told they may not see it', async ({ page }) => {
  await login(page, 'case_worker1');
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await expect(nav.getByRole('link', { name: 'Drift' })).toHaveCount(0);
  await page.goto('/operations');
  await waitForContent(page);
  await expect(page.getByRole('alert').first()).toBeVisible();
  await expect(page.getByRole('alert').first()).toContainText(/behörighet|inte tillåten|får inte/i);
  await expectNoAxeViolations(page);
});
