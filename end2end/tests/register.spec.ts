import { expect, test, type Page } from '@playwright/test';
import {
  account,
  apiAs,
  cellUnder,
  expectNoAxeViolations,
  expectNoHorizontalOverflow,
  fact,
  login,
} from './helpers';

/** The start page's table of a guardian's children. */
function childrenTable(page: Page) {
  return page.getByRole('table', { name: 'Mina barn' });
}

test('a guardian sees exactly their two children and opens one', async ({ page }) => {
  const children = account('guardian1').children;
  expect(children).toHaveLength(2);

  await login(page, 'guardian1');
  const table = childrenTable(page);
  await expect(table.getByRole('rowheader')).toHaveCount(2);
  const links = table.getByRole('link');
  await expect(links).toHaveCount(2);
  const hrefs = await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
  expect(hrefs.sort()).toEqual(children.map((id) => `/pupils/${id}`).sort());
  await expectNoAxeViolations(page);

  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader') }).first();
  const name = (await row.getByRole('link').textContent())!.trim();
  const href = (await row.getByRole('link').getAttribute('href'))!;
  const school = (await (await cellUnder(table, row, 'Skola')).textContent())!.trim();
  await row.getByRole('link').click();

  await expect(page).toHaveURL(href);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await expect(page).toHaveTitle(`${name} – Skolflyt`);
  await expect(fact(page, 'Personnummer')).toHaveText(/^\d{8}-\d{4}$/);
  expect(school).not.toBe('Uppgift saknas');
  await expect(fact(page, 'Skola')).toHaveText(school);
  await expect(page.getByRole('heading', { level: 2, name: 'Personuppgifter' })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("another family's child is not found, and none of their details are shown", async ({ page, baseURL }) => {
  const protectedChild = account('guardian3').children[0];
  const asGuardian3 = await apiAs(baseURL!, 'guardian3');
  const detail = await (await asGuardian3.get(`/api/pupils/${protectedChild}`)).json();
  await asGuardian3.dispose();

  await login(page, 'guardian1');
  await page.goto(`/pupils/${protectedChild}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Elev' })).toBeVisible();
  await expect(
    page.getByText('Eleven finns inte eller så har du inte behörighet att se uppgifterna.'),
  ).toBeVisible();
  await expect(page.getByRole('term')).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText(detail.family_name);
  await expect(page.getByRole('main')).not.toContainText(detail.personal_number);
  await expectNoAxeViolations(page);
});

test("a provider's unit lists its placements with a protected child masked", async ({ page, baseURL }) => {
  const protectedChild = account('guardian3').children[0];
  const asGuardian3 = await apiAs(baseURL!, 'guardian3');
  const child = await (await asGuardian3.get(`/api/pupils/${protectedChild}`)).json();
  await asGuardian3.dispose();
  expect(child.protected_identity).toBe(true);

  await login(page, 'provider_admin1');
  const units = page.getByRole('table', { name: 'Mina enheter' });
  await expect(units.getByRole('rowheader').first()).toBeVisible();
  await expectNoAxeViolations(page);

  // The demo places guardian3's child at one of this provider's units; the API says which.
  const { items } = await (await page.request.get('/api/units')).json();
  let unitName: string | undefined;
  let maskedThere = 0;
  for (const unit of items) {
    const detail = await (await page.request.get(`/api/units/${unit.id}`)).json();
    const placements: { pupil: { id: string; masked: boolean } }[] = detail.placements;
    if (placements.some((p) => p.pupil.id === protectedChild)) {
      unitName = unit.name;
      // Other protected children may be placed there too, depending on the day's ages.
      maskedThere = placements.filter((p) => p.pupil.masked).length;
      break;
    }
  }
  expect(unitName, "a unit of provider_admin1 where guardian3's child is placed").toBeDefined();

  await units.getByRole('link', { name: unitName, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(unitName!);
  await expect(page).toHaveTitle(`${unitName} – Skolflyt`);
  const placements = page.getByRole('table', { name: 'Aktuella placeringar' });
  await expect(placements.getByRole('rowheader').first()).toBeVisible();
  const masked = placements.getByRole('rowheader').filter({ hasText: 'Skyddad identitet' });
  expect(maskedThere).toBeGreaterThanOrEqual(1);
  await expect(masked).toHaveCount(maskedThere);
  await expect(masked.getByRole('link')).toHaveCount(0);
  await expect(page.locator(`a[href="/pupils/${protectedChild}"]`)).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText(`${child.given_name} ${child.family_name}`);
  await expectNoAxeViolations(page);
});

test("a teacher's start page shows their groups with their pupils", async ({ page }) => {
  await login(page, 'teacher1');
  await expect(page.getByRole('heading', { level: 2, name: 'Mina grupper' })).toBeVisible();
  // Each group is a heading (the sections' headings being h2) followed by its pupils, a table
  // named after the group.
  const firstGroup = page.getByRole('heading', { level: 3 }).first();
  await expect(firstGroup).toBeVisible();
  const groupName = (await firstGroup.textContent())!.trim();
  const pupils = page.getByRole('table', { name: `Elever i ${groupName}`, exact: true });
  await expect(pupils.getByRole('rowheader').getByRole('link').first()).toBeVisible();
  // teacher1 mentors one of guardian1's children.
  const mentee = account('guardian1').children.map((id) => `a[href="/pupils/${id}"]`).join(', ');
  await expect(page.locator(mentee).first()).toBeVisible();
  await expectNoAxeViolations(page);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test("a guardian's start page and a child's page fit the screen", async ({ page }) => {
    await login(page, 'guardian1');
    const link = childrenTable(page).getByRole('link').first();
    await expect(link).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await expectNoAxeViolations(page);

    await link.click();
    await expect(page).toHaveURL(/\/pupils\//);
    await expect(fact(page, 'Personnummer')).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await expectNoAxeViolations(page);
  });
});
