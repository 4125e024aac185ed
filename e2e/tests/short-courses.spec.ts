// Journeys 3–7 again for two shorter protocols, each end to end but with less on the way:
// dynamic interpersonal therapy (DIT, 16 sessions, in English), whose focus is one
// interpersonal-affective focus (IPAF) instead of problem areas, and brief IPT (IPT-B, 8 sessions,
// in Spanish), with a role-transition focus that Kith suggests.
import { test, expect, startKith, Kith } from './support';
import { Clinician, daysFromToday } from './course-journey';

test.describe('short courses', () => {
  let kith: Kith;
  test.beforeAll(async ({ kithDatabase }) => {
    kith = await startKith(kithDatabase, true);
  });
  test.afterAll(async () => {
    await kith?.stop();
  });

  test('DIT: an interpersonal-affective focus instead of problem areas, sixteen sessions, in en', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    const c = new Clinician(page, kith, 'en', testInfo);
    const w = c.w;
    await c.signIn(0);
    await c.registerClient('Client D.', '1990-11-02');
    await c.openCourse('dit');
    // The course navigation names the focus as the IPAF.
    await expect(page.locator('[data-testid=course-nav] a[href$="/formulation"]')).toHaveText(w.navIpaf);
    await c.recordIntake();
    await c.enterMeasure('phq9', [2, 1, 2, 1, 1, 1, 1, 1, 0], 10, w.bands.moderate);
    await c.enterMeasure('gad7', [1, 1, 1, 1, 1, 0, 1], 6, w.bands.mild);
    await c.holdSession(1);
    await c.signNote(1);

    await c.buildInventory([
      { name: 'Sam', relationship: 'partner', ring: '1' },
      { name: 'Her mother', relationship: 'parent', ring: '2' },
      { name: 'Her manager', relationship: 'manager', ring: '3' },
    ]);
    await c.snapshot('intake');
    // A DIT course has no problem areas: no person, event or goal is tied to one.
    await page.locator('[data-testid=inventory-people] a', { hasText: 'Sam' }).click();
    await expect(page.locator('#person-form')).toBeVisible();
    await expect(page.locator('#linked_problem_area')).toHaveCount(0);
    await c.buildTimeline(90, [
      { date: daysFromToday(-110), kind: 'conflict', text: 'Passed over for promotion; rows with her manager.', person: 'Her manager' },
    ]);
    await expect(page.locator('#event_area')).toHaveCount(0);
    for (const n of [2, 3]) {
      await c.holdSession(n);
      await c.signNote(n);
    }

    // Session 4: the IPAF, a goal, the client's agreement and the 16-session contract.
    await c.writeIpaf(4);
    await c.addGoal('Say no to extra work once a week', undefined, 'Sam');
    await c.agreeFormulation(4);
    await c.agreeContract(16, 4, 'The IPAF: keeping quiet when dismissed, then resentment');
    await c.toCourse();
    await expect(page.locator('[data-testid=course-ipaf]')).toContainText('goes quiet');
    await expect(page.locator('[data-testid=course-areas]')).toHaveCount(0);
    await c.holdSession(4);
    await c.signNote(4, ['ipaf-agreed', 'contract']);

    // DIT's ending phase is sessions 13–16, raised four sessions ahead: by session 12.
    for (let n = 5; n <= 11; n++) {
      await c.holdSession(n);
      await c.signNote(n);
      if (n === 10) await c.expectEndingReminder(false);
    }
    await c.expectEndingReminder(true);
    await c.holdSession(12);
    await c.raiseEnding(12);
    await c.signNote(12);
    for (let n = 13; n <= 15; n++) {
      await c.holdSession(n);
      await c.signNote(n);
    }
    await c.enterMeasure('phq9', [1, 0, 1, 0, 1, 0, 0, 0, 0], 3, w.bands.minimal);
    await c.toTermination();
    await expect(page.locator('[data-testid=baseline-phq9]')).toHaveText('10');
    await expect(page.locator('[data-testid=latest-phq9]')).toHaveText('3');
    await c.reviewGoals([{ status: 'achieved', review: 'She says no most weeks now.' }]);
    await c.writeRelapsePlan('end');
    await c.holdSession(16);
    await c.signNote(16);
    await expect(page.locator('[data-testid=note-signed]')).toBeVisible();
    await c.assertReachableFromCourse();
    await c.closeAndOpenSummary('ended');
    await expect(page.locator('[data-testid=summary-sessions]')).toContainText('16');
    await expect(page.locator('[data-testid=summary-goals] tbody tr')).toHaveCount(1);
    await c.printToPdf('dit-summary');
    c.finish();
  });

  test('IPT-B: brief IPT with a role-transition focus, eight sessions, in es', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    const c = new Clinician(page, kith, 'es', testInfo);
    const w = c.w;
    await c.signIn(1);
    await c.registerClient('Consultante B.', '1984-05-20');
    await c.openCourse('ipt-b');
    await c.recordIntake();
    await c.enterMeasure('phq9', [2, 2, 1, 2, 1, 1, 2, 1, 0], 12, w.bands.moderate);
    await c.holdSession(1);
    await c.signNote(1);

    // Session 2: inventory and timeline; Kith suggests a role transition (the job lost before the
    // onset), the clinician accepts it, and the 8-session contract is agreed.
    await c.buildInventory([
      { name: 'Pablo', relationship: 'partner', ring: '1' },
      { name: 'Carmen', relationship: 'friend', ring: '2' },
      { name: 'Luis', relationship: 'colleague', ring: '3', status: 'past' },
    ]);
    await c.snapshot('intake');
    await c.buildTimeline(60, [{ date: daysFromToday(-90), kind: 'job-loss', text: 'Perdió su trabajo en la fábrica tras 15 años.', person: 'Luis' }]);
    await c.acceptSuggestion('transition', w.transition, 2, 'El ánimo bajó tras perder el trabajo de toda la vida.');
    await c.addGoal('Buscar un curso de formación', 'transition');
    await c.agreeFormulation(2);
    await c.agreeContract(8, 2, 'Transición tras la pérdida del trabajo');
    await c.holdSession(2);
    await c.signNote(2, ['timeline', 'area-chosen', 'formulation', 'contract']);

    // Termination is sessions 7–8, raised three sessions ahead: by session 5.
    for (const n of [3, 4]) {
      await c.holdSession(n);
      await c.signNote(n);
      if (n === 3) await c.expectEndingReminder(false);
    }
    await c.expectEndingReminder(true);
    await c.holdSession(5);
    await c.raiseEnding(5);
    await c.signNote(5, ['ending-raised']);
    for (const n of [6, 7]) {
      await c.holdSession(n);
      await c.signNote(n);
    }
    await c.enterMeasure('phq9', [1, 1, 0, 1, 0, 0, 1, 0, 0], 4, w.bands.minimal);
    await c.toTermination();
    await expect(page.locator('[data-testid=baseline-phq9]')).toHaveText('12');
    await expect(page.locator('[data-testid=latest-phq9]')).toHaveText('4');
    await c.reviewGoals([{ status: 'partly', review: 'Se ha apuntado a un curso; aún no ha empezado.' }]);
    await c.writeRelapsePlan('maintenance');
    await c.holdSession(8);
    await c.signNote(8);
    await c.assertReachableFromCourse();
    await c.closeAndOpenSummary('maintenance');
    await expect(page.locator('[data-testid=summary-sessions]')).toContainText('8');
    await expect(page.locator('main')).toContainText(w.transition);
    await c.printToPdf('ipt-b-summary');
    c.finish();
  });
});
