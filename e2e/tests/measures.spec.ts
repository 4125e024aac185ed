// Journey 6 of the product, measurement and safety: the clinician enters PHQ-9s for a client in the
// browser and sees the server's score, severity band and the chart grow by a point; a PHQ-9 with
// item 9 above zero shows the crisis resources and raises a safety alert, whose banner stays on top
// of every page until the clinician opens the alert and acknowledges it with an action note.
import { test, expect, startKith, Kith } from './support';
import { Clinician } from './course-journey';

test.describe('measures and safety alerts', () => {
  let kith: Kith;
  test.beforeAll(async ({ kithDatabase }) => {
    kith = await startKith(kithDatabase, true);
  });
  test.afterAll(async () => {
    await kith?.stop();
  });

  test('PHQ-9 scores, bands and chart; item 9 raises an alert the clinician acknowledges', async ({ page }, testInfo) => {
    const c = new Clinician(page, kith, 'en', testInfo);
    const w = c.w;
    // A clinician with no open alert of their own in the demo clinic.
    await c.signIn(2);
    await expect(page.locator('[data-testid=alert-banner]')).toHaveCount(0);
    await c.registerClient('Client P.', '1995-01-30');
    const client = new URL(c.clientUrl).pathname;
    await expect(page.locator('section[aria-labelledby=measures-h] .chart-block')).toHaveCount(0);

    // First PHQ-9: 14, moderate; no alert.
    const points = page.locator('svg.measure-phq9 g.point');
    await page.locator(`a[href="${client}/measures/new"]`).first().click();
    await c.walk.check('measure choice');
    await page.locator(`a[href$="/measures/new?instrument=phq9"]`).click();
    await c.walk.check('phq9 form', 'phq9');
    await answer(page, [2, 2, 2, 2, 1, 2, 1, 2, 0]);
    await expect(page.locator('[data-testid=total]')).toHaveText(/^14\b/);
    await expect(page.locator('[data-testid=band]')).toHaveText(w.bands.moderate);
    await expect(page.locator('[data-testid=alert] a')).toHaveCount(0);
    await expect(page.locator('section.crisis')).toHaveCount(0);
    await c.walk.check('result');
    await page.locator('p.crumbs a[href$="/measures"]').click();
    await c.walk.check('measures');
    await expect(points).toHaveCount(1);
    await expect(points.first().locator('title')).toHaveText(/: 14$/);
    await expect(page.locator('.chart-block table.scores tbody tr')).toHaveCount(1);

    // A PHQ-9 left incomplete is refused with the missing items named, and nothing is recorded.
    await page.locator(`a[href="${client}/measures/new"]`).first().click();
    await page.locator(`a[href$="/measures/new?instrument=phq9"]`).click();
    const form = page.locator('form.questionnaire');
    await form.evaluate((f) => f.setAttribute('novalidate', ''));
    await form.locator('fieldset.question').first().locator('input[value="1"]').check();
    await form.locator('button.primary').click();
    await expect(page.locator('#form-errors')).toBeVisible();
    await expect(page.locator('fieldset.question.has-error')).not.toHaveCount(0);
    await c.walk.check('refused', 'refused');

    // Second PHQ-9: 9, mild — the chart and its table now show two points.
    await answer(page, [1, 1, 1, 1, 1, 1, 1, 2, 0]);
    await expect(page.locator('[data-testid=total]')).toHaveText(/^9\b/);
    await expect(page.locator('[data-testid=band]')).toHaveText(w.bands.mild);
    await page.locator('p.crumbs a[href$="/measures"]').click();
    await expect(points).toHaveCount(2);
    await expect(points.last().locator('title')).toHaveText(/: 9$/);
    await expect(page.locator('svg.measure-phq9 polyline.series-line')).toHaveCount(1);
    await expect(page.locator('.chart-block table.scores tbody tr')).toHaveCount(2);
    // The client's page shows the same chart.
    await page.locator(`p.crumbs a[href="${client}"]`).click();
    await expect(page.locator('svg.measure-phq9 g.point')).toHaveCount(2);
    const shot = await page.locator('.chart-block').first().screenshot({ path: testInfo.outputPath('phq9-chart.png') });
    await testInfo.attach('PHQ-9 chart', { body: shot, contentType: 'image/png' });

    // Third PHQ-9 with item 9 positive: crisis resources at once, an alert, and the banner.
    await page.locator(`a[href="${client}/measures/new"]`).first().click();
    await page.locator(`a[href$="/measures/new?instrument=phq9"]`).click();
    await answer(page, [2, 2, 1, 2, 1, 2, 1, 1, 2]);
    await expect(page.locator('[data-testid=total]')).toHaveText(/^14\b/);
    await expect(page.locator('section.safety-flag')).toBeVisible();
    await expect(page.locator('section.crisis')).toBeVisible();
    await expect(page.locator('tr.flagged')).toHaveCount(1);
    await expect(page.locator('[data-testid=alert] a[href^="/alerts/"]')).toBeVisible();
    await expect(page.locator('[data-testid=alert-banner]')).toBeVisible();
    await c.walk.check('flagged result', 'flagged');
    // The banner stays on every page, the client's included, until the alert is acknowledged.
    await page.locator(`p.crumbs a[href="${client}"]`).click();
    await expect(page.locator('[data-testid=alert-banner]')).toBeVisible();
    await expect(page.locator('section.safety-flag a[href^="/alerts/"]')).toHaveCount(1);
    await c.walk.check('client with an open alert', 'alert');
    await page.locator('[data-testid=alert-banner] a').click();
    await expect(page.locator('h1')).toHaveText(w.alerts);
    await c.walk.check('alerts');
    const row = page.locator('main table tbody tr', { hasText: 'Client P.' });
    await expect(row).toHaveCount(1);
    await row.locator('a[href^="/alerts/"]').click();
    await expect(page.locator('h1')).toHaveText(`${w.alert} · Client P.`);
    await expect(page.locator('#alert-h')).toContainText(w.open);
    await c.walk.check('alert');

    // An empty action note is refused; a real one acknowledges the alert.
    await page.locator('#note').evaluate((n) => n.removeAttribute('required'));
    await page.locator('form[action$="/acknowledge"] button.primary').click();
    await expect(page.locator('#note-error')).toBeVisible();
    await expect(page.locator('#alert-h')).toContainText(w.open);
    const note = 'Called the client the same day: passive thoughts, no plan or intent. Safety plan reviewed; GP informed.';
    await page.locator('#note').fill(note);
    await page.locator('form[action$="/acknowledge"] button.primary').click();
    await expect(page.locator('#alert-h')).toContainText(w.acknowledged);
    await expect(page.locator('[data-testid=action-note]')).toHaveText(note);
    await expect(page.locator('form[action$="/acknowledge"]')).toHaveCount(0);
    await c.walk.check('acknowledged alert', 'acknowledged');
    await expect(page.locator('[data-testid=alert-banner]')).toHaveCount(0);
    await page.locator(`p.crumbs a[href="${client}"]`).click();
    await expect(page.locator('section.safety-flag')).toHaveCount(0);
    await expect(page.locator('svg.measure-phq9 g.point')).toHaveCount(3);
    c.finish();
  });
});

/** Answers the questionnaire shown (item values in order) and submits it. */
async function answer(page: import('@playwright/test').Page, values: number[]) {
  const questions = page.locator('form.questionnaire fieldset.question');
  for (const [i, v] of values.entries()) await questions.nth(i).locator(`input[type=radio][value="${v}"]`).check();
  await page.locator('form.questionnaire button.primary').click();
}
