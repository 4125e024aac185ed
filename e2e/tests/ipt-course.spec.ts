// Journeys 3–7 of the product for a whole course of standard IPT with a grief focus, in English and
// in Spanish: a clinician registers a client, opens the course, records the intake and baseline
// measures, builds the inventory and timeline, accepts Kith's grief suggestion, agrees the
// formulation and a 16-session contract, holds and signs all sixteen sessions with two technique
// worksheets, is reminded to raise the ending, reviews the goals, writes the relapse-prevention plan,
// closes the course and prints the end-of-treatment summary. Every distinct page is checked with axe,
// and every page touched must be within two clicks of the course page.
import { test, expect, startKith, Kith } from './support';
import { Clinician, daysFromToday } from './course-journey';

for (const lang of ['en', 'es'] as const) {
  test.describe(`IPT grief course, in ${lang}`, () => {
    let kith: Kith;
    test.beforeAll(async ({ kithDatabase }) => {
      kith = await startKith(kithDatabase, true);
    });
    test.afterAll(async () => {
      await kith?.stop();
    });

    test('a sixteen-session course of IPT for grief, from intake to the printed summary', async ({ page }, testInfo) => {
      test.setTimeout(240_000);
      const c = new Clinician(page, kith, lang, testInfo);
      const w = c.w;
      await c.signIn(lang === 'en' ? 0 : 1);
      await c.registerClient('Client M.', '1979-03-14');
      await c.openCourse('ipt');
      await expect(page.locator('h1')).toContainText('Client M.');
      c.mark('signed in, course open');

      // Session 1: intake and baseline measures.
      await c.recordIntake();
      await c.enterMeasure('phq9', [2, 2, 2, 1, 2, 1, 1, 1, 0], 12, w.bands.moderate);
      await c.enterMeasure('gad7', [1, 2, 1, 1, 1, 1, 1], 8, w.bands.mild);
      await c.holdSession(1);
      await c.signNote(1);
      c.mark('session 1 done');

      // Session 2: the interpersonal inventory (her mother has died) and the timeline, where the
      // death comes about six weeks before the onset.
      await c.buildInventory([
        { name: 'Rosa', relationship: 'parent', status: 'deceased', ring: '1', full: true },
        { name: 'Daniel', relationship: 'partner', ring: '1' },
        { name: 'Ana', relationship: 'sibling', ring: '2' },
        { name: 'Marta', relationship: 'friend', ring: '2' },
        { name: 'Joe', relationship: 'colleague', ring: '3' },
        { name: 'Lucía', relationship: 'other-family', ring: '3' },
      ]);
      await c.snapshot('intake');
      await c.screenshotCircle();
      await c.buildTimeline(120, [
        { date: daysFromToday(-160), kind: 'death', text: 'Rosa died after a short illness.', person: 'Rosa' },
        { date: daysFromToday(-400).slice(0, 7), kind: 'move', text: 'Moved to the city with Daniel.' },
        { date: daysFromToday(-100), kind: 'job-change', text: 'Took on extra night shifts.' },
      ]);
      await expect(page.locator('[data-testid=timeline-events] tr.event-death')).toHaveCount(1);
      await c.holdSession(2);
      await c.signNote(2, ['timeline']);
      c.mark('session 2 done');

      // Session 3: Kith suggests grief with its reasons; the clinician accepts it as the focus, adds
      // goals, records the client's agreement, and agrees a 16-session contract.
      await c.acceptSuggestion('grief', w.grief, 3, 'Low mood began about six weeks after her mother died; she has not been able to grieve.');
      await c.addGoal('Talk with Ana about Mum at least once a week', 'grief', 'Ana');
      await c.addGoal('Go back to the choir', 'grief');
      await c.agreeFormulation(3);
      await c.agreeContract(16, 3, 'Grief after her mother’s death');
      await c.holdSession(3);
      await c.signNote(3, ['area-chosen', 'formulation', 'contract']);
      c.mark('session 3 done');

      // The middle phase, with the pre-session brief before the first middle session.
      await c.toCourse();
      await expect(page.locator('[data-testid=course-areas]')).toContainText(w.grief);
      await page.locator('[data-testid=brief-link]').click();
      await expect(page.locator('h1')).toContainText(w.brief);
      await expect(page.locator('[data-testid=brief-remaining]')).not.toBeEmpty();
      await expect(page.locator('[data-testid=brief-measures]')).toContainText('PHQ-9');
      await c.walk.check('brief');
      for (let n = 4; n <= 12; n++) {
        await c.holdSession(n);
        if (n === 6) {
          // A communication analysis of an argument with her partner, done in session 6.
          await c.startWorksheet('communication-analysis', 6);
          await page.locator('#f-other_person').selectOption({ label: 'Daniel' });
          await page.locator('#f-what_i_wanted').fill('For him to notice I was sad on Mum’s birthday.');
          await page.locator('#f-steps-0-speaker').selectOption('me');
          await page.locator('#f-steps-0-words').fill('You never remember anything that matters to me.');
          await page.locator('#f-steps-1-speaker').selectOption('them');
          await page.locator('#f-steps-1-words').fill('I worked all night, what do you want from me?');
          await page.locator('#f-alternatives-0-idea').fill('Tell him today is hard because it is Mum’s birthday, and ask for a hug.');
          await c.completeWorksheet();
          await c.signNote(n, ['communication-analysis']);
        } else if (n === 8) {
          // A decision analysis about going back to the choir, and the mid-course PHQ-9.
          await c.startWorksheet('decision-analysis', 8);
          await page.locator('#f-problem').fill('Whether to go back to the choir Mum used to come and hear.');
          await page.locator('#f-options-0-option').fill('Go back next Thursday with Marta.');
          await page.locator('#f-options-0-pros').fill('See friends; sing again.');
          await page.locator('#f-options-1-option').fill('Wait until after the anniversary.');
          await page.locator('#f-options-1-cons').fill('Stay isolated for months.');
          await page.locator('#f-first_step').fill('Text Marta to ask for a lift.');
          await c.completeWorksheet();
          await c.enterMeasure('phq9', [1, 1, 1, 1, 1, 1, 1, 1, 0], 8, w.bands.mild);
          await c.signNote(n, ['decision-analysis']);
        } else {
          await c.signNote(n);
        }
        // Termination is sessions 14–16; the ending is to be raised three sessions ahead.
        if (n === 11) await c.expectEndingReminder(false);
      }
      c.mark('session 12 done');

      // By session 13 Kith reminds the clinician to raise the ending, on the course page and its agenda.
      await c.expectEndingReminder(true);
      await expect(page.locator('[data-testid=raise-ending]')).toBeVisible();
      await c.holdSession(13);
      await c.raiseEnding(13);
      await c.signNote(13, ['ending-raised']);
      await c.expectEndingReminder(false);
      c.mark('session 13 done');

      // Termination: final measures and closeness circle, goal review, the relapse-prevention plan.
      await c.holdSession(14);
      await c.signNote(14);
      await c.holdSession(15);
      await c.signNote(15);
      await c.enterMeasure('phq9', [1, 0, 1, 0, 1, 0, 0, 1, 0], 4, w.bands.minimal);
      await c.enterMeasure('gad7', [0, 1, 0, 1, 0, 0, 1], 3, w.bands.gadMinimal);
      await c.toCourse();
      await c.section('inventory', w.inventory);
      await page.locator('[data-testid=inventory-people] a', { hasText: 'Ana' }).click();
      await page.locator('#person-form #ring').selectOption('1');
      await page.locator('#person-form #support_rating').fill('8');
      await page.locator('#person-form button.primary').click();
      await page.locator('[data-testid=inventory-people] a', { hasText: 'Marta' }).click();
      await page.locator('#person-form #ring').selectOption('1');
      await page.locator('#person-form button.primary').click();
      await c.snapshot('termination');
      await expect(page.locator('[data-testid=snapshots] li')).toHaveCount(2);

      await c.toTermination();
      await expect(page.locator('[data-testid=baseline-phq9]')).toHaveText('12');
      await expect(page.locator('[data-testid=latest-phq9]')).toHaveText('4');
      await expect(page.locator('[data-testid=baseline-gad7]')).toHaveText('8');
      await expect(page.locator('[data-testid=latest-gad7]')).toHaveText('3');
      await expect(page.locator('[data-testid=circle-change] svg')).toBeVisible();
      await expect(page.locator('[data-testid=circle-change-table]')).toContainText('Ana');
      await c.reviewGoals([
        { status: 'achieved', review: 'They talk every Sunday now.' },
        { status: 'partly', review: 'Went twice; still hard.' },
      ]);
      await c.writeRelapsePlan('end');
      await page.locator('main > p a[href$="/worksheets"]').click();
      await expect(page.locator('[data-testid=worksheet-list] tbody tr')).toHaveCount(3);
      await c.holdSession(16);
      await c.signNote(16);
      c.mark('session 16 done');

      // The course page with the chart, and the pages a clinician uses within two clicks of it.
      await c.screenshotCourse('course');
      await expect(page.locator('[data-testid=session-list] tbody tr.session-held')).toHaveCount(16);
      await expect(page.locator('[data-testid=course-phase]')).not.toBeEmpty();
      const chart = page.locator('[data-testid=course-chart]').first();
      await expect(chart.locator('svg')).toBeVisible();
      const chartShot = await chart.screenshot({ path: testInfo.outputPath(`chart-${lang}.png`) });
      await testInfo.attach(`PHQ-9 chart (${lang})`, { body: chartShot, contentType: 'image/png' });
      await c.assertReachableFromCourse();
      c.mark('reachability done');

      // Close the course and print the summary.
      await c.closeAndOpenSummary('ended');
      await expect(page.locator('[data-testid=summary-sessions]')).toContainText('16');
      await expect(page.locator('[data-testid=summary-goals] tbody tr')).toHaveCount(2);
      await expect(page.locator('[data-testid=latest-phq9]')).toHaveText('4');
      await expect(page.locator('[data-testid=circle-change] svg')).toBeVisible();
      await expect(page.locator('main')).toContainText('Waking at 4 am');
      await expect(page.locator('main')).toContainText(w.grief);
      await c.printToPdf('summary');
      c.mark('summary printed');
      c.finish();
    });
  });
}
