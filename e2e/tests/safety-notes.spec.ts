// Risk a clinician records in a session note raises a safety alert, as a questionnaire answer does:
// the clinician chooses how urgent it is, the alert banner appears at once, the alert shows what the
// clinician wrote and links back to the note, and it stays open until acknowledged. The pages are
// also checked at a phone's width (390 px) for sideways scrolling.
import { test, expect, startKith, Kith } from './support';
import { Clinician } from './course-journey';
import type { Page } from '@playwright/test';

async function noSidewaysScroll(page: Page, where: string) {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll, `${where}: page wider than the screen`).toBeLessThanOrEqual(widths.client);
}

test.describe('risk recorded in a session note', () => {
  let kith: Kith;
  test.beforeAll(async ({ kithDatabase }) => {
    kith = await startKith(kithDatabase, true);
  });
  test.afterAll(async () => {
    await kith?.stop();
  });

  test('an emergency noted in a session raises an alert the clinician acknowledges', async ({ page }, testInfo) => {
    const c = new Clinician(page, kith, 'en', testInfo);
    await c.signIn(2);
    await expect(page.locator('[data-testid=alert-banner]')).toHaveCount(0);
    await c.registerClient('Client R.', '1990-04-12');
    await c.openCourse('ipt');
    await c.holdSession(1);
    await page.locator('[data-testid=note-link]').click();

    const form = page.locator('#note-form');
    const risk = form.locator('fieldset.note-risk-check');
    await risk.locator('select[name$=".status"]').selectOption('risk-identified');
    // Without saying how urgent, the note is refused and nothing is raised.
    await page.locator('#note-save').click();
    await expect(page.locator('[data-testid=note-errors]')).toBeVisible();
    await expect(page.locator('[data-testid=alert-banner]')).toHaveCount(0);
    await c.walk.check('note refused', 'refused');

    const actions = 'Crisis team called from the session; she agreed to stay with her sister tonight.';
    await form.locator('fieldset.note-risk-check select[name$=".status"]').selectOption('risk-identified');
    await form.locator('fieldset.note-risk-check select[name$=".urgency"]').selectOption('emergency');
    await form.locator('fieldset.note-risk-check textarea').fill(actions);
    await page.locator('#note-save').click();
    await expect(page.locator('[data-testid=note-risk]')).toContainText('a safety alert was raised');
    await expect(page.locator('[data-testid=alert-banner]')).toBeVisible();
    await c.walk.check('note with risk', 'risk');

    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(page, 'note form');
    await page.locator('[data-testid=alert-banner] a').click();
    await noSidewaysScroll(page, 'alerts');
    const row = page.locator('main table tbody tr', { hasText: 'Client R.' });
    await expect(row).toContainText('Emergency');
    await row.locator('a[href^="/alerts/"]').click();
    await expect(page.locator('#alert-h')).toContainText('Emergency');
    await expect(page.locator('[data-testid=risk-text]')).toHaveText(actions);
    await noSidewaysScroll(page, 'alert');
    await c.walk.check('alert from a note', 'note');
    const shot = await page.screenshot({ path: testInfo.outputPath('note-alert-390.png'), fullPage: true });
    await testInfo.attach('alert raised by a note, 390 px', { body: shot, contentType: 'image/png' });
    await page.setViewportSize({ width: 1280, height: 800 });

    // The alert leads back to the note; acknowledging it clears the banner.
    await expect(page.locator('a[href$="/note"]')).toHaveCount(1);
    await page.locator('#note').fill('Crisis team visited at home that evening; follow-up booked for tomorrow.');
    await page.locator('form[action$="/acknowledge"] button.primary').click();
    await expect(page.locator('[data-testid=action-note]')).toBeVisible();
    await expect(page.locator('[data-testid=alert-banner]')).toHaveCount(0);
    c.finish();
  });
});
