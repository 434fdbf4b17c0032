import { expect, test } from '@playwright/test';
import { account, expectNoAxeViolations, fillLoginForm, login, logout } from './helpers';

test('the login page passes axe', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Logga in' })).toBeVisible();
  await expect(page).toHaveTitle('Logga in – Skolflyt');
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await expectNoAxeViolations(page);
});

test('the skip link is the first stop and moves focus to the content', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByLabel('Användarnamn')).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Hoppa till innehållet' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
});

test('a wrong password shows an alert and keeps the visitor on the login page', async ({ page }) => {
  await page.goto('/login');
  // An account no other test signs in with, so the failed attempt cannot slow anyone down.
  await fillLoginForm(page, 'pupil2', 'not-the-password');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Fel användarnamn eller lösenord.');
  // A sentence, not a code.
  await expect(alert).not.toContainText('invalid_credentials');
  await expect(page).toHaveURL('/login');
  await expectNoAxeViolations(page);
});

test('a link opened while signed out comes back after login', async ({ page }) => {
  await page.goto('/my/cases');
  await expect(page).toHaveURL('/login?next=%2Fmy%2Fcases');
  await fillLoginForm(page, 'guardian2', account('guardian2').password);
  await expect(page).toHaveURL('/my/cases');
  await expect(page.getByRole('heading', { level: 1, name: 'Mina ärenden' })).toBeVisible();
  // Only this app's own pages: another site's address goes to the start page.
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await expect(page).toHaveURL('/login');
  await page.goto('/login?next=https%3A%2F%2Fevil.example%2F');
  await fillLoginForm(page, 'guardian2', account('guardian2').password);
  await expect(page).toHaveURL('/');
});

test('a signed-out visitor is sent from the start page to the login page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL('/login');
  await expect(page.getByRole('heading', { level: 1, name: 'Logga in' })).toBeVisible();
});

// Each role's start page: its `<h1>`, and for people with several sections the section's `<h2>`.
const homes = [
  { username: 'guardian1', heading: 'Mina barn' },
  { username: 'pupil1', heading: 'Mina uppgifter' },
  { username: 'teacher1', heading: 'Översikt', section: 'Mina grupper' },
  { username: 'principal1', heading: 'Översikt', section: 'Min skola' },
  { username: 'provider_admin1', heading: 'Mina enheter' },
  { username: 'case_worker1', heading: 'Fördelningskö' },
  { username: 'registrar1', heading: 'Fördelningskö' },
  { username: 'admin1', heading: 'Alla enheter' },
];

for (const { username, heading, section } of homes) {
  test(`${username} signs in to their start page and signs out`, async ({ page }) => {
    await login(page, username);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    if (section) {
      await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
    }
    await expect(page.getByRole('navigation', { name: 'Huvudmeny' })).toBeVisible();
    await expect(page).toHaveTitle(`${heading} – Skolflyt`);
    await expectNoAxeViolations(page);
    await logout(page);
  });
}

test('the language switch changes every text, is remembered, and switches back', async ({ page }) => {
  // An account no other test signs in with, so a failure here leaves no one in English.
  await login(page, 'teacher2');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('lang', 'sv');

  const saved = page.waitForResponse(
    (response) => response.url().endsWith('/api/me/locale') && response.request().method() === 'PUT',
  );
  await page.getByLabel('Språk').selectOption('en');
  expect((await saved).ok()).toBeTruthy();
  await expectEnglish();
  await expectNoAxeViolations(page);

  await page.reload();
  await expectEnglish();
  await expect(page.getByLabel('Language')).toHaveValue('en');

  const savedAgain = page.waitForResponse(
    (response) => response.url().endsWith('/api/me/locale') && response.request().method() === 'PUT',
  );
  await page.getByLabel('Language').selectOption('sv');
  expect((await savedAgain).ok()).toBeTruthy();
  await expect(html).toHaveAttribute('lang', 'sv');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Översikt');
  await expect(page.getByRole('heading', { level: 2, name: 'Mina grupper' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Huvudmeny' })).toBeVisible();
  await expect(page).toHaveTitle('Översikt – Skolflyt');
  await expectNoAxeViolations(page);

  async function expectEnglish() {
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
    await expect(page.getByRole('heading', { level: 2, name: 'My groups' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Main menu' });
    await expect(nav.getByRole('link', { name: 'Home' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page).toHaveTitle('Overview – Skolflyt');
  }
});

test('an unknown address shows the not-found page', async ({ page }) => {
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { level: 1, name: 'Sidan finns inte' })).toBeVisible();
  await expect(page).toHaveTitle('Sidan finns inte – Skolflyt');
  await expect(page.getByRole('link', { name: 'Gå till startsidan' })).toHaveAttribute('href', '/');
  await expectNoAxeViolations(page);
});
