// The e-service editor: an administrator builds a new e-service in the browser (seven kinds of
// question, one shown only on an earlier answer), tries it in the live preview and publishes it;
// a guardian on a phone fills it in, saves, resumes, checks the answers and submits; the case
// worker finds the case in the queue with the submission's receipt.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalOverflow, login, logout, waitForContent } from './helpers';

function inDays(days: number): string {
  const day = new Date();
  day.setDate(day.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

interface Question {
  type: string;
  key: string;
  sv: string;
  en: string;
  required?: boolean;
}

/** "Lägg till en fråga" in `step`, then the question's type, key, texts and whether it must be answered. */
async function addQuestion(step: Locator, question: Question): Promise<Locator> {
  await step.getByRole('button', { name: 'Lägg till en fråga' }).click();
  const field = step.locator('li.editor-field').last();
  // The new question's text takes focus, so a keyboard user goes on typing.
  await expect(field.getByLabel('Frågan (svenska)', { exact: true })).toBeFocused();
  await field.getByLabel('Typ av fråga').selectOption(question.type);
  await field.getByLabel('Nyckel', { exact: true }).fill(question.key);
  await field.getByLabel('Frågan (svenska)', { exact: true }).fill(question.sv);
  await field.getByLabel('Frågan (engelska)', { exact: true }).fill(question.en);
  if (question.required) await field.getByLabel('Frågan måste besvaras').check();
  return field;
}

async function addOption(field: Locator, number: number, value: string, sv: string, en: string) {
  await field.getByRole('button', { name: 'Lägg till ett alternativ' }).click();
  const option = field.getByRole('group', { name: `Alternativ ${number}` });
  await option.getByLabel('Värde').fill(value);
  await option.getByLabel('Text (svenska)').fill(sv);
  await option.getByLabel('Text (engelska)').fill(en);
}

async function expectAccessible(page: Page) {
  await expectNoAxeViolations(page);
  await expectNoHorizontalOverflow(page);
}

test('an administrator builds and publishes an e-service that a guardian then uses on a phone', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const code = `skolskjuts-${Date.now()}`;
  const title = `Ansökan om skolskjuts ${Date.now()}`;
  await page.setViewportSize({ width: 1366, height: 900 });
  await login(page, 'admin1');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Bygg e-tjänster' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Bygg e-tjänster' })).toBeVisible();
  await waitForContent(page);
  // The seeded IKE e-service is listed with its state.
  await expect(page.getByRole('row', { name: /Ansökan om studier i en annan kommun/ })).toContainText(
    'Publicerad, version',
  );
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-service-editor-list-desktop-sv.png', fullPage: true });

  await page.getByRole('link', { name: 'Ny e-tjänst' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ny e-tjänst' })).toBeVisible();
  await waitForContent(page);
  // Saving an empty e-service names what is missing, each problem at its input.
  await page.getByRole('button', { name: 'Spara utkast' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'Det finns fel i e-tjänsten' });
  await expect(summary).toBeVisible();
  await expect(summary).toContainText('Använd 2–40 tecken');
  await expect(summary).toContainText('Steg 1: Lägg till minst en fråga i steget.');
  await expect(page.getByLabel('Kod', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  await page.getByLabel('Kod', { exact: true }).fill(code);
  await page.getByLabel('Namn (svenska)').fill(title);
  await page.getByLabel('Namn (engelska)').fill('School transport application');
  await page.getByLabel('Beskrivning (svenska)').fill('Ansök om skolskjuts för ditt barn.');
  await page.getByLabel('Beskrivning (engelska)').fill('Apply for school transport for your child.');
  await page.getByLabel('Ärendetyp').selectOption('placement_change');

  const first = page.locator('li.editor-step').nth(0);
  await first.getByLabel('Stegets rubrik (svenska)').fill('Barnet');
  await first.getByLabel('Stegets rubrik (engelska)').fill('The child');
  await addQuestion(first, { type: 'child', key: 'child', sv: 'Barn', en: 'Child', required: true });
  const distance = await addQuestion(first, {
    type: 'number',
    key: 'distance_km',
    sv: 'Avstånd till skolan (km)',
    en: 'Distance to school (km)',
    required: true,
  });
  await distance.getByLabel('Minsta värde').fill('0');
  await distance.getByLabel('Största värde').fill('100');
  await addQuestion(first, { type: 'date', key: 'start', sv: 'Från och med', en: 'From', required: true });

  await page.getByRole('button', { name: 'Lägg till ett steg' }).click();
  const second = page.locator('li.editor-step').nth(1);
  await expect(second.getByLabel('Stegets rubrik (svenska)')).toBeFocused();
  await second.getByLabel('Stegets rubrik (svenska)').fill('Resan');
  await second.getByLabel('Stegets rubrik (engelska)').fill('The journey');
  await addQuestion(second, {
    type: 'yes_no',
    key: 'needs',
    sv: 'Behöver ni skolskjuts?',
    en: 'Do you need school transport?',
    required: true,
  });
  const reason = await addQuestion(second, {
    type: 'textarea',
    key: 'reason',
    sv: 'Varför?',
    en: 'Why?',
    required: true,
  });
  await reason.getByLabel('Visa frågan bara när en tidigare fråga har ett visst svar').check();
  await expect(reason.getByLabel('Tidigare fråga', { exact: true })).toHaveValue('needs');
  await expect(reason.getByLabel('Svar som visar frågan', { exact: true })).toHaveValue('yes');
  const mode = await addQuestion(second, { type: 'choice', key: 'mode', sv: 'Färdsätt', en: 'Mode of transport', required: true });
  await addOption(mode, 1, 'bus', 'Buss', 'Bus');
  await addOption(mode, 2, 'taxi', 'Taxi', 'Taxi');
  await addQuestion(second, {
    type: 'declaration',
    key: 'truthful',
    sv: 'Jag intygar att uppgifterna är riktiga',
    en: 'I confirm the information is correct',
    required: true,
  });
  await expect(summary).toBeHidden();

  // The preview shows the form as an applicant meets it: "Varför?" only after a yes.
  const preview = page.getByRole('region', { name: 'Förhandsvisning' });
  await expect(preview.getByText(title)).toBeVisible();
  await expect(preview.getByRole('group', { name: /Behöver ni skolskjuts/ })).toBeVisible();
  await expect(preview.getByLabel(/^Varför\?/)).toHaveCount(0);
  await preview.getByRole('radio', { name: 'Ja' }).check();
  await expect(preview.getByLabel(/^Varför\?/)).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-service-editor-desktop-sv.png', fullPage: true });

  await page.getByRole('button', { name: 'Spara och publicera' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Version 1 är publicerad.' })).toBeVisible();
  await expect(page).toHaveURL(`/admin/e-services/${code}`);

  // The saved draft reads back as built, also on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await waitForContent(page);
  await expect(page.getByText('Publicerad, version 1')).toBeVisible();
  await expect(page.locator('li.editor-field')).toHaveCount(7);
  await expect(page.locator('li.editor-step').nth(1).getByLabel('Tidigare fråga', { exact: true })).toHaveValue('needs');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/e-service-editor-phone-sv.png', fullPage: true });
  await logout(page);

  // A guardian on a phone.
  await login(page, 'guardian1');
  await page.goto('/e-services');
  await waitForContent(page);
  await page.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 1 av 3/ })).toBeVisible();
  await waitForContent(page);
  await page.getByRole('group', { name: /^Barn/ }).getByRole('radio').first().check();
  await page.getByLabel('Avstånd till skolan (km)').fill('6,5');
  await page.getByLabel('Från och med').fill(inDays(10));
  await page.getByRole('button', { name: 'Nästa' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 2 av 3/ })).toBeVisible();
  await expect(page.getByLabel(/^Varför\?/)).toHaveCount(0);
  await page.getByRole('radio', { name: 'Ja' }).check();
  await page.getByLabel(/^Varför\?/).fill('Vägen saknar gångbana.');
  await page.getByRole('radio', { name: 'Buss' }).check();
  await page.getByRole('button', { name: 'Spara och fortsätt senare' }).click();
  await expect(page.getByText(/Dina svar är sparade/)).toBeVisible();
  await expectAccessible(page);

  await page.goto('/');
  await page.goto(`/e-services/${code}`);
  await expect(page.getByText(/Du fortsätter med svaren du sparade/)).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: /^Steg 2 av 3/ })).toBeVisible();
  await expect(page.getByLabel(/^Varför\?/)).toHaveValue('Vägen saknar gångbana.');
  await page.getByRole('checkbox', { name: /Jag intygar att uppgifterna är riktiga/ }).check();
  await page.getByRole('button', { name: 'Nästa' }).click();
  await expect(page.getByRole('heading', { name: 'Kontrollera dina svar' })).toBeVisible();
  await expect(page.getByText('Vägen saknar gångbana.')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Skicka' }).click();
  await expect(page.getByRole('heading', { name: 'Tack, din ansökan har kommit in' })).toBeVisible();
  await page.getByRole('link', { name: 'Visa ärendet i Mina ärenden' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Ärende \d{4}\/\d{5}$/ })).toBeVisible();
  const number = (await page.getByRole('heading', { level: 1 }).textContent())!.replace('Ärende ', '').trim();
  await logout(page);

  // The case worker finds the case in the queue with the submission's receipt.
  await login(page, 'case_worker1');
  await page.goto('/cases/queue');
  await waitForContent(page);
  await page.getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ärende ${number}` })).toBeVisible();
  await waitForContent(page);
  await expect(page.getByText(`Kvitto: ${title}`).first()).toBeVisible();
  await expectAccessible(page);
});

test('the editor reads in English and passes axe', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await login(page, 'admin1');
  await page.getByLabel('Språk').selectOption('en');
  try {
    await page.goto('/admin/e-services');
    await expect(page.getByRole('heading', { level: 1, name: 'Build e-services' })).toBeVisible();
    await waitForContent(page);
    await expectAccessible(page);
    await page.getByRole('link', { name: /Studying in another municipality/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Edit e-service ike' })).toBeVisible();
    await waitForContent(page);
    await expect(page.getByRole('region', { name: 'Preview' })).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: 'test-results/e-service-editor-desktop-en.png', fullPage: true });
  } finally {
    await page.getByLabel('Language').selectOption('sv');
    await expect(page.getByLabel('Språk')).toBeVisible();
  }
});
