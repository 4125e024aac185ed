// The steps of a course of IPT as a clinician takes them in the browser, shared by the course
// journeys (ipt-course.spec.ts, short-courses.spec.ts). Every step drives the real pages through
// their ids, data-testid attributes and form actions; every distinct page is checked with axe once.
import { Page, TestInfo } from '@playwright/test';
import { expect, Kith, Walk, signIn, today, minutesAgoToday, routesWithinTwoClicks, routeOf } from './support';

export type Lang = 'en' | 'es';

/** Headings and labels the journeys assert, as each catalogue has them. */
export const words = {
  en: {
    clients: 'Clients',
    intake: 'Intake',
    contract: 'Treatment contract',
    inventory: 'Interpersonal inventory',
    newPerson: 'A new person in the inventory',
    timeline: 'Timeline',
    formulation: 'Formulation and problem areas',
    formulationIpaf: 'Formulation and interpersonal-affective focus',
    enterMeasure: 'Enter a questionnaire',
    sessions: 'Sessions',
    note: 'Session note',
    brief: 'Pre-session brief',
    worksheets: 'Worksheets',
    termination: 'Ending and review',
    summary: 'End-of-treatment summary',
    alerts: 'Safety alerts',
    alert: 'Safety alert',
    grief: 'Grief',
    transition: 'Role transition',
    navIpaf: 'Focus (IPAF) and goals',
    bands: { gadMinimal: 'Minimal', minimal: 'None or minimal', mild: 'Mild', moderate: 'Moderate', modSevere: 'Moderately severe', severe: 'Severe' },
    acknowledged: 'Acknowledged',
    open: 'Open',
    complete: 'Complete',
  },
  es: {
    clients: 'Consultantes',
    intake: 'Evaluación inicial',
    contract: 'Contrato terapéutico',
    inventory: 'Inventario interpersonal',
    newPerson: 'Una persona nueva en el inventario',
    timeline: 'Línea de vida',
    formulation: 'Formulación y áreas problema',
    formulationIpaf: 'Formulación y foco interpersonal-afectivo',
    enterMeasure: 'Registrar un cuestionario',
    sessions: 'Sesiones',
    note: 'Nota de sesión',
    brief: 'Resumen previo a la sesión',
    worksheets: 'Hojas de trabajo',
    termination: 'Final y revisión',
    summary: 'Resumen de fin de tratamiento',
    alerts: 'Alertas de seguridad',
    alert: 'Alerta de seguridad',
    grief: 'Duelo',
    transition: 'Transición de rol',
    navIpaf: 'Foco (IPAF) y objetivos',
    bands: { gadMinimal: 'Mínima', minimal: 'Ninguna o mínima', mild: 'Leve', moderate: 'Moderada', modSevere: 'Moderadamente grave', severe: 'Grave' },
    acknowledged: 'Confirmada',
    open: 'Abierta',
    complete: 'Completada',
  },
};

/** A person of the interpersonal inventory. */
export type Person = {
  name: string;
  relationship: string;
  status?: string;
  ring?: '1' | '2' | '3' | '';
  /** Entered through the full form (all of ipt-reference §5.1) instead of the quick one. */
  full?: boolean;
};

export type TimelineEvent = { date: string; kind: string; text: string; person?: string };

/** A date `days` days from today (negative: in the past), YYYY-MM-DD. */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** What a clinician writes in each kind of note section; anything else gets a plain line. */
const noteText: Record<string, string> = {
  symptoms: 'Low mood most days, early waking and poor appetite since the summer. PHQ-9 reviewed with the client.',
  diagnosis: 'Named as a depressive episode; the client was relieved to hear it is common and treatable.',
  psychoeducation: 'Explained IPT: weekly sessions, a focus on relationships, and what to expect.',
  'sick-role': 'Agreed to step back from the extra shifts for now and to take part in treatment.',
  medication: 'Medication discussed; the client prefers to start with therapy and will see the GP.',
  inventory: 'Talked about her mother, her partner and her sister.',
  focus: 'Onset followed her mother’s death; grief considered as the focus.',
  strategy: 'Reviewed the relationship with her mother, the good and the hard sides; sadness and some anger came up.',
  ending: 'Reminded the client how many sessions remain; she is worried about coping alone.',
  'symptom-change': 'PHQ-9 lower than at the start; she notices she sleeps better.',
  gains: 'She has reconnected with her sister and returned to the choir; she made these changes herself.',
  plan: 'Continue the work on the relationship review.',
  patterns: 'Keeps quiet when she feels dismissed, at work and at home, then feels resentful.',
  ipaf: 'Self as a burden, others as busy and critical; shame and anger; withdrawal.',
  'ipaf-work': 'Linked this week’s row with her manager to the IPAF; she could name the anger.',
  'since-last': 'A difficult week at work; she spoke up once in a meeting.',
};

/** Checklist items that record a particular event: ticked only when it happened in that session. */
const particular = [
  'ending-raised',
  'timeline',
  'area-chosen',
  'formulation',
  'contract',
  'ipaf-agreed',
  'communication-analysis',
  'decision-analysis',
  'role-play',
  'written',
  'read-together',
];

export class Clinician {
  readonly walk: Walk;
  readonly w: (typeof words)['en'];
  clientUrl = '';
  courseUrl = '';
  /** Session number → session page address. */
  readonly sessions = new Map<number, string>();
  private started = Date.now();

  constructor(
    readonly page: Page,
    readonly kith: Kith,
    readonly lang: Lang,
    readonly testInfo: TestInfo,
  ) {
    this.walk = new Walk(page, lang);
    this.w = words[lang];
  }

  /** With KITH_E2E_TIMING set, logs how long the journey has taken so far. */
  mark(label: string) {
    if (process.env.KITH_E2E_TIMING) console.log(`[${this.lang}] ${((Date.now() - this.started) / 1000).toFixed(1)} s: ${label}`);
  }

  /** Signs in as a demo clinician (second factor included) and switches to the test's language. */
  async signIn(skip = 0) {
    const me = this.kith.loginFor('clinician', skip);
    await signIn(this.page, this.kith, me.email, me.password, me.totp);
    await expect(this.page).toHaveURL(`${this.kith.baseURL}/`);
    if (this.lang === 'es') {
      await this.page.locator('form[action="/language"] button').click();
    }
    await expect(this.page.locator('html')).toHaveAttribute('lang', this.lang);
    await expect(this.page.locator('h1')).toHaveText(this.w.clients);
    await this.walk.check('home');
  }

  async registerClient(name: string, born: string) {
    const p = this.page;
    await p.locator('#display_name').fill(name);
    await p.locator('#date_of_birth').fill(born);
    await p.locator('form[action="/clients"] button.primary').click();
    await expect(p).toHaveURL(/\/clients\/[0-9a-f-]{36}$/);
    await expect(p.locator('h1')).toHaveText(name);
    this.clientUrl = p.url();
    await this.walk.check('client');
  }

  async openCourse(protocol: string, sessions?: number) {
    const p = this.page;
    await p.locator(`#protocol-${protocol}`).check();
    if (sessions) await p.locator('#sessions').fill(String(sessions));
    await p.locator(`form[action$="/courses"] button.primary`).click();
    await expect(p).toHaveURL(/\/courses\/[0-9a-f-]{36}$/);
    this.courseUrl = p.url();
    await expect(p.locator('[data-testid=course-nav]')).toBeVisible();
    await this.walk.check('course');
  }

  /** Back to the course page through the breadcrumb (every course page has one). */
  async toCourse() {
    const p = this.page;
    if (p.url() === this.courseUrl) return;
    const path = new URL(this.courseUrl).pathname;
    const crumb = p.locator(`nav.crumbs a[href="${path}"]`);
    if (!(await crumb.count())) {
      // The measures pages lead back to the client, whose page lists the courses.
      await p.locator(`.crumbs a[href="${new URL(this.clientUrl).pathname}"]`).first().click();
      await p.locator(`[data-testid=client-courses] a[href="${path}"]`).click();
    } else {
      await crumb.first().click();
    }
    await expect(p).toHaveURL(this.courseUrl);
  }

  /** Opens one section of the course through the course navigation. */
  async section(name: 'intake' | 'contract' | 'formulation' | 'inventory' | 'timeline', heading: string) {
    const p = this.page;
    await p.locator(`[data-testid=course-nav] a[href$="/${name}"]`).click();
    await expect(p.locator('h1')).toHaveText(heading);
    await this.walk.check(name);
  }

  async recordIntake() {
    const p = this.page;
    await this.section('intake', this.w.intake);
    await p.locator('#code_system').fill('ICD-10');
    await p.locator('#code').fill('F32.1');
    await p.locator('#label').fill('Moderate depressive episode');
    await p.locator('#psychoeducation_on').fill(today());
    await p.locator('#sick_role_on').fill(today());
    await p.locator('#medication_need').selectOption('to-consider');
    await p.locator('#referral').selectOption('client-declined');
    await p.locator('#medication_notes').fill('Prefers to start with therapy; will review with her GP if no change by mid-course.');
    await p.locator('#med-0-name').fill('Sertraline');
    await p.locator('#med-0-dose').fill('50 mg (stopped in 2024)');
    await p.locator('#med-0-prescriber').fill('GP');
    await p.locator('#other_therapy').fill('None at present.');
    await p.locator('#intake-form button.primary').click();
    await expect(p).toHaveURL(this.courseUrl);
    await expect(p.locator('[data-testid=course-status]')).toBeVisible();
    await expect(p.locator('main')).toContainText('Moderate depressive episode');
  }

  /**
   * Enters a questionnaire for the client on the measures page (reached from the course through the
   * client's page) and returns to the result page; `answers` are the item values in order.
   */
  async enterMeasure(instrument: string, answers: number[], total: number, band: string) {
    const p = this.page;
    if (!p.url().includes('/measures/')) {
      await this.toCourse();
      await p.locator(`nav.crumbs a[href="${new URL(this.clientUrl).pathname}"]`).click();
      await this.walk.check('client');
      await p.locator(`a[href$="/measures/new"]`).first().click();
    } else {
      await p.locator(`p.crumbs a[href$="/measures"]`).click();
      await this.walk.check('measures');
      await p.locator(`a[href$="/measures/new"]`).first().click();
    }
    await expect(p.locator('h1')).toContainText(this.w.enterMeasure);
    await this.walk.check('measure choice');
    await p.locator(`a[href$="/measures/new?instrument=${instrument}"]`).click();
    const questions = p.locator('form.questionnaire fieldset.question');
    await expect(questions.first()).toBeVisible();
    await this.walk.check(`measure ${instrument}`, instrument);
    const n = await questions.count();
    expect(n).toBeGreaterThanOrEqual(answers.length);
    for (let i = 0; i < answers.length; i++) {
      await questions.nth(i).locator(`input[type=radio][value="${answers[i]}"]`).check();
    }
    await p.locator('form.questionnaire button.primary').click();
    await expect(p).toHaveURL(/\/measures\/[0-9a-f-]{36}$/);
    await expect(p.locator('[data-testid=total]')).toHaveText(new RegExp(`^${total}\\b`));
    await expect(p.locator('[data-testid=band]')).toHaveText(band);
    await this.walk.check('measure result');
  }

  /** Adds people to the inventory: the full form for some, the quick form for the rest. */
  async buildInventory(people: Person[]) {
    const p = this.page;
    await this.toCourse();
    await this.section('inventory', this.w.inventory);
    for (const person of people) {
      if (person.full) {
        await p.locator(`a[href$="/inventory/new"]`).click();
        await expect(p.locator('h1')).toHaveText(this.w.newPerson);
        await this.walk.check('person form');
        const f = p.locator('#person-form');
        await f.locator('#display_name').fill(person.name);
        await f.locator('#relationship').selectOption(person.relationship);
        await f.locator('#status').selectOption(person.status ?? 'current');
        await f.locator('#ring').selectOption(person.ring ?? '1');
        await f.locator('#contact').selectOption({ index: 1 });
        await f.locator('#time_together').fill('Sunday lunches every week; phoned most days.');
        await f.locator('#what_they_are_like').fill('Warm, stubborn, the one who kept the family together.');
        await f.locator('#what_i_like').fill('Her humour; she always knew when something was wrong.');
        await f.locator('#what_i_dislike').fill('She could be critical about my choices.');
        await f.locator('#topics_i_can_talk_about').fill('Work, the children, cooking.');
        await f.locator('#topics_i_cannot_talk_about').fill('Her illness, until the very end.');
        await f.locator('#feelings').fill('sadness, guilt, love');
        await f.locator('#support-emotional').check();
        await f.locator('#support-practical').check();
        await f.locator('#support_rating').fill('9');
        await f.locator('#satisfaction').fill('7');
        await f.locator('#changes_wanted').fill('To have said goodbye properly.');
        await f.locator('#onset_changed').check();
        await f.locator('#onset_change_description').fill('She died about six weeks before the low mood began.');
        await f.locator('#linked_problem_area').selectOption({ index: 1 });
        await f.locator('#notes').fill('Died after a short illness; the client was abroad at the time.');
        await f.locator('button.primary').click();
      } else {
        const f = p.locator('form[action$="/inventory"]:has(input[name=quick])');
        await f.locator('#display_name').fill(person.name);
        await f.locator('#relationship').selectOption(person.relationship);
        await f.locator('#status').selectOption(person.status ?? 'current');
        await f.locator('#ring').selectOption(person.ring ?? '2');
        await f.locator('button[type=submit]').click();
      }
      await expect(p).toHaveURL(/\/inventory(#.*)?$/);
      await expect(p.locator('[data-testid=inventory-people]')).toContainText(person.name);
    }
    await expect(p.locator('[data-testid=inventory-people] tbody tr')).toHaveCount(people.length);
    // Every person placed on a ring is drawn in the circle.
    await expect(p.locator('[data-testid=circle-svg] svg')).toBeVisible();
    // One person's record opens from the table.
    await p.locator('[data-testid=inventory-people] tbody tr a').first().click();
    await expect(p.locator('#person-form')).toBeVisible();
    await this.walk.check('person');
    await p.locator('main p a[href$="/inventory"]').last().click();
    await p.locator('#clinician_summary').fill('Close to her mother and sister; her partner is supportive but works nights.');
    await p.locator('#who_is_missing').fill('Friends from the choir she stopped going to.');
    await p.locator('#completed_at').fill(today());
    await p.locator('form[action$="/inventory/notes"] button').click();
    await expect(p).toHaveURL(/\/inventory#notes$/);
  }

  async snapshot(label: 'intake' | 'termination') {
    const p = this.page;
    await p.locator('#snapshot_label').selectOption(label);
    await p.locator('form[action$="/snapshots"] button').click();
    await expect(p).toHaveURL(/\/inventory#snapshots$/);
  }

  async screenshotCircle() {
    const shot = await this.page.locator('[data-testid=circle-svg]').screenshot({ path: this.testInfo.outputPath(`circle-${this.lang}.png`) });
    await this.testInfo.attach(`closeness circle (${this.lang})`, { body: shot, contentType: 'image/png' });
  }

  /** The onset (`onsetDaysAgo` days ago) and the life events, each optionally tied to a person. */
  async buildTimeline(onsetDaysAgo: number, events: TimelineEvent[]) {
    const p = this.page;
    await this.toCourse();
    await this.section('timeline', this.w.timeline);
    await p.locator('#onset_date').fill(daysFromToday(-onsetDaysAgo));
    await p.locator('#onset_description').fill('Low mood, poor sleep, stopped going out.');
    await p.locator('form[action$="/timeline/onset"] button[type=submit]').first().click();
    await expect(p.locator('[data-testid=timeline-onset]')).not.toBeEmpty();
    for (const e of events) {
      const f = p.locator('form[action$="/timeline/events"]');
      await f.locator('#event_date').fill(e.date);
      await f.locator('#event_kind').selectOption(e.kind);
      await f.locator('#event_description').fill(e.text);
      if (e.person) await f.locator('fieldset label', { hasText: e.person }).click();
      await f.locator('#event_impact').fill('8');
      await f.locator('button[type=submit]').click();
      await expect(p).toHaveURL(/\/timeline#events$/);
    }
    await expect(p.locator('[data-testid=timeline-events] tbody tr')).toHaveCount(events.length);
    const mood = p.locator('form[action$="/timeline/mood"]');
    await mood.locator('#mood_date').fill(daysFromToday(-200).slice(0, 7));
    await mood.locator('#mood_rating').fill('7');
    await mood.locator('button[type=submit]').click();
    await expect(p.locator('[data-testid=timeline-mood]')).toBeVisible();
    await expect(p.locator('[data-testid=timeline-svg] svg')).toBeVisible();
  }

  /**
   * Records session `n` from the course's sessions page: the first is scheduled and then held with
   * the "hold" button, the others are recorded as already held (a few minutes ago, today).
   */
  async holdSession(n: number) {
    const p = this.page;
    await p.goto(`${this.courseUrl}/sessions`);
    await expect(p.locator('h1')).toHaveText(this.w.sessions);
    await this.walk.check('sessions');
    await p.locator('#session-at').fill(minutesAgoToday(40 - 2 * n));
    if (n === 1) {
      await p.locator('#session-status-scheduled').check();
    } else {
      await p.locator('#session-status-held').check();
    }
    await p.locator('#session-number').fill(String(n));
    await p.locator(`form[action$="/sessions"] button.primary`).click();
    await expect(p).toHaveURL(/\/sessions\/[0-9a-f-]{36}$/);
    await this.walk.check('session');
    if (n === 1) {
      await p.locator('form[action$="/hold"] button.primary').click();
      await expect(p.locator('form[action$="/hold"]')).toHaveCount(0);
      await this.walk.check('held session', 'held');
    }
    this.sessions.set(n, p.url());
  }

  /**
   * Writes the note of session `n` and signs it, as a clinician would: the required sections and a
   * few usual ones get a line, the mood a rating, the risk check "asked, none", and the checklists
   * their items — except the items that record something particular (the ending raised, the
   * formulation or contract agreed, a technique), which are ticked only when named in `ticks`.
   * Worksheets of the session offered in the note are linked.
   */
  async signNote(n: number, ticks: string[] = []) {
    const p = this.page;
    if (p.url() !== this.sessions.get(n)) await p.goto(this.sessions.get(n)!);
    await p.locator('[data-testid=note-link]').click();
    await expect(p.locator('h1')).toContainText(this.w.note);
    // Each phase (and focus) has its own note template: each is checked once.
    const template = (await p.locator('main > p.muted').first().innerText()).split(' · ').pop();
    await this.walk.check('note', template);
    const form = p.locator('#note-form');
    // A clinician writes the required sections and a few others, not every box.
    const sections = await form.evaluate((f) =>
      [...f.querySelectorAll('fieldset.note-section')].map((s) => ({
        id: s.id.replace(/^section-/, ''),
        required: !!s.querySelector('legend .muted'),
        text: s.querySelector('textarea')?.id,
        risk: s.querySelector('select')?.id,
        mood: s.querySelector('input[type=number]')?.id,
        boxes: [...s.querySelectorAll('input[type=checkbox]')].map((b) => ({ id: b.id, value: (b as HTMLInputElement).value })),
      })),
    );
    for (const sec of sections) {
      if (sec.risk) {
        await form.locator(`#${sec.risk}`).selectOption('no-risk-identified');
        if (sec.text) await form.locator(`#${sec.text}`).fill('Asked about thoughts of death or self-harm; none. Safety plan not needed.');
      } else if (sec.text && (sec.required || sec.id in noteText)) {
        await form.locator(`#${sec.text}`).fill(noteText[sec.id] ?? `Session ${n}: ${sec.id.replace(/-/g, ' ')} discussed with the client.`);
      }
      if (sec.mood) await form.locator(`#${sec.mood}`).fill(String(Math.min(9, 3 + Math.floor(n / 3))));
      for (const box of sec.boxes) {
        if (!particular.includes(box.value) || ticks.includes(box.value)) await form.locator(`#${box.id}`).check();
      }
    }
    await p.locator('#note-sign').click();
    await expect(p.locator('[data-testid=note-signed]')).toBeVisible();
    await expect(p.locator('[data-testid=note-integrity]')).toBeVisible();
    await expect(p.locator('#note-form')).toHaveCount(0);
    await this.walk.check('signed note', 'signed');
  }

  /** Starts a worksheet from the course's worksheet list, tied to session `n`. */
  async startWorksheet(kind: string, n: number) {
    const p = this.page;
    await p.goto(this.courseUrl);
    await p.locator('[data-testid=worksheets-link]').click();
    await expect(p.locator('h1')).toHaveText(this.w.worksheets);
    await this.walk.check('worksheets');
    await p.locator('#ws-kind').selectOption(kind);
    const session = p.locator('#ws-session option').filter({ hasText: new RegExp(`\\b${n}\\b`) }).first();
    await p.locator('#ws-session').selectOption((await session.getAttribute('value'))!);
    await p.locator('#ws-start').click();
    await expect(p).toHaveURL(/\/worksheets\/[0-9a-f-]{36}$/);
    await expect(p.locator('#ws-form')).toHaveAttribute('data-kind', kind);
    await this.walk.check(`worksheet ${kind}`, kind);
  }

  /** Completes the worksheet shown and checks it says so. */
  async completeWorksheet() {
    const p = this.page;
    await p.locator('#ws-complete').click();
    await expect(p.locator('[data-testid=ws-problems]')).toHaveCount(0);
    await expect(p.locator('[data-testid=ws-status]')).toContainText(this.w.complete);
  }

  /**
   * Accepts Kith's top suggestion as the focus: the suggestion (on the course page and on the
   * formulation page, with its reasons) must name `area`, and the clinician chooses it as the
   * primary problem area and writes the formulation for the client.
   */
  async acceptSuggestion(area: string, label: string, atSession: number, why: string) {
    const p = this.page;
    await this.toCourse();
    const onCourse = p.locator('[data-testid=course-suggestion] [data-testid=suggested-area]').first();
    await expect(onCourse.locator('strong')).toHaveText(label);
    await this.section('formulation', this.w.formulation);
    const suggestion = p.locator('[data-testid=suggested-area]').first();
    await expect(suggestion.locator('strong')).toHaveText(label);
    await expect(suggestion.locator('ul.reasons li').first()).toBeVisible();
    const suggested = (await suggestion.locator('strong').innerText()).trim();
    await p.locator('#area_0').selectOption({ label: suggested });
    await expect(p.locator('#area_0')).toHaveValue(area);
    await p.locator('#primary_0').check();
    await p.locator('#rationale_0').fill(why);
    await p.locator('#narrative_for_client').fill(`Your depression started around a change in your relationships: ${why} We will work on that together.`);
    await p.locator('#clinician_formulation').fill(why);
    await p.locator('#formulation-form #at_session').fill(String(atSession));
    await p.locator('#formulation-form button.primary').click();
    await expect(p.locator('[data-testid=formulation-areas]')).toContainText(label);
  }

  /** The interpersonal-affective focus of DIT: the formulation page offers no problem area at all. */
  async writeIpaf(atSession: number) {
    const p = this.page;
    await this.toCourse();
    await this.section('formulation', this.w.formulationIpaf);
    await expect(p.locator('#formulation-form select[id^="area_"]')).toHaveCount(0);
    await expect(p.locator('select[name=problem_area]')).toHaveCount(0);
    await expect(p.locator('[data-testid=course-suggestion] [data-testid=suggested-area]')).toHaveCount(0);
    await p.locator('#ipaf_summary').fill('When she feels dismissed she goes quiet and then resents it.');
    await p.locator('#ipaf_self').fill('A burden who must not ask for anything');
    await p.locator('#ipaf_other').fill('Busy, critical, bound to say no');
    await p.locator('#ipaf_affect').fill('Shame and anger');
    await p.locator('#ipaf_defence').fill('Withdrawal, looking after everyone else');
    await p.locator('#narrative_for_client').fill('When you feel others are too busy for you, you keep quiet and end up feeling alone and angry.');
    await p.locator('#formulation-form #at_session').fill(String(atSession));
    await p.locator('#formulation-form button.primary').click();
    await expect(p.locator('[data-testid=formulation-current]')).toContainText('goes quiet');
  }

  /** Adds a goal on the formulation page, tied to an area (if the protocol has areas) and a person. */
  async addGoal(text: string, area?: string, person?: string) {
    const p = this.page;
    const before = await p.locator('[data-testid=goals] tbody tr').count();
    await p.locator('#goal_text').fill(text);
    if (area) await p.locator('#goal_area').selectOption(area);
    if (person) await p.locator('form[action$="/goals"] fieldset label', { hasText: person }).click();
    await p.locator('form[action$="/goals"] button[type=submit]').click();
    await expect(p.locator('[data-testid=goals] tbody tr')).toHaveCount(before + 1);
    await expect(p.locator('[data-testid=goals]')).toContainText(text);
  }

  async agreeFormulation(atSession: number) {
    const p = this.page;
    await p.locator('#agreed_on').fill(today());
    await p.locator('#agree_session').fill(String(atSession));
    await p.locator('form[action$="/formulation/agree"] button').click();
    await expect(p.locator('[data-testid=formulation-agreed]')).toBeVisible();
  }

  async agreeContract(sessions: number, atSession: number, focus: string) {
    const p = this.page;
    await this.section('contract', this.w.contract);
    await p.locator('#contract-form #sessions').fill(String(sessions));
    await p.locator('#frequency').selectOption('weekly');
    await p.locator('#planned_end').fill(daysFromToday((sessions - atSession) * 7));
    await p.locator('#focus').fill(focus);
    await p.locator('#contract-form #at_session').fill(String(atSession));
    await p.locator('#contract-form button.primary').click();
    await expect(p.locator('[data-testid=contract-current]')).toContainText(String(sessions));
    await expect(p.locator('#contract-form')).toHaveAttribute('action', /\/contract\/renegotiate$/);
  }

  /** Whether the course page shows the reminder to raise the ending. */
  async expectEndingReminder(shown: boolean) {
    const p = this.page;
    await p.goto(this.courseUrl);
    await expect(p.locator('[data-testid=sessions-block]')).toBeVisible();
    await expect(p.locator('[data-testid=ending-reminder]')).toHaveCount(shown ? 1 : 0);
  }

  /** Follows the reminder on the course page to the termination page and records the ending raised. */
  async raiseEnding(atSession: number) {
    const p = this.page;
    await p.goto(this.courseUrl);
    await p.locator('[data-testid=ending-reminder] a').click();
    await expect(p.locator('h1')).toHaveText(this.w.termination);
    await this.walk.check('termination');
    await p.locator('#ending-session').fill(String(atSession));
    await p.locator('form[action$="/ending-raised"] button').click();
    await expect(p.locator('[data-testid=ending-raised]')).toBeVisible();
  }

  async toTermination() {
    const p = this.page;
    await p.goto(this.courseUrl);
    await p.locator('[data-testid=sessions-block] a[href$="/termination"]').click();
    await expect(p.locator('h1')).toHaveText(this.w.termination);
    await this.walk.check('termination');
  }

  /** Reviews each goal on the termination page with the given outcomes. */
  async reviewGoals(outcomes: { status: string; review: string }[]) {
    const p = this.page;
    await expect(p.locator('form.goal-review')).toHaveCount(outcomes.length);
    for (const [i, o] of outcomes.entries()) {
      const g = p.locator('form.goal-review').nth(i);
      await g.locator('select[name=status]').selectOption(o.status);
      await g.locator('textarea[name=review]').fill(o.review);
      await g.locator('button[type=submit]').click();
      await expect(p).toHaveURL(/\/termination#goals$/);
      await expect(p.locator('form.goal-review').nth(i).locator('select[name=status]')).toHaveValue(o.status);
    }
  }

  /** Starts the relapse-prevention plan from the termination page, writes it with the client and completes it. */
  async writeRelapsePlan(nextStep: 'end' | 'continuation' | 'maintenance') {
    const p = this.page;
    await p.locator('#start-relapse-plan').click();
    await expect(p).toHaveURL(/\/worksheets\/[0-9a-f-]{36}$/);
    await expect(p.locator('#ws-form')).toHaveAttribute('data-kind', 'relapse-prevention-plan');
    await this.walk.check('relapse plan', 'relapse-prevention-plan');
    await p.locator('#f-warning_signs-0-sign').fill('Waking at 4 am and not wanting to see anyone.');
    await p.locator('#f-warning_signs-1-sign').fill('Skipping choir practice.');
    await p.locator('#f-triggers-0-trigger').fill('The anniversary in spring.');
    await p.locator('#f-what_helps-0-action').fill('Call my sister and tell her how I feel.');
    await p.locator('#f-contacts-0-name_or_service').fill('Dr Ortiz, GP');
    await p.locator('#f-contacts-0-how_to_reach').fill('Surgery, 0161 555 0192');
    await p.locator('#f-next_step').selectOption(nextStep);
    await p.locator('#f-next_step_date').fill(daysFromToday(30));
    await this.completeWorksheet();
  }

  /** Closes the course from the termination page and opens the end-of-treatment summary. */
  async closeAndOpenSummary(outcome: 'ended' | 'continuation' | 'maintenance') {
    const p = this.page;
    await this.toTermination();
    await p.locator(`#outcome-${outcome}`).check();
    await p.locator('#close-course').click();
    await expect(p.locator('[data-testid=course-outcome]')).toBeVisible();
    await expect(p.locator('[data-testid=course-closed]')).toBeVisible();
    await p.locator('[data-testid=summary-link]').click();
    await expect(p.locator('h1')).toHaveText(this.w.summary);
    await this.walk.check('summary');
    await expect(p.locator('[data-testid=summary-outcome]')).not.toBeEmpty();
  }

  /** Prints the page shown: navigation and forms are hidden, the content stays, and a PDF comes out. */
  async printToPdf(name: string) {
    const p = this.page;
    await p.emulateMedia({ media: 'print' });
    await expect(p.locator('header.top')).toBeHidden();
    await expect(p.locator('nav').first()).toBeHidden();
    await expect(p.locator('footer.foot')).toBeHidden();
    await expect(p.locator('.print-button')).toBeHidden();
    await expect(p.locator('main h1')).toBeVisible();
    await expect(p.locator('[data-testid=measures-compare]')).toBeVisible();
    const shot = await p.screenshot({ path: this.testInfo.outputPath(`${name}-print-${this.lang}.png`), fullPage: true });
    await this.testInfo.attach(`${name} as printed (${this.lang})`, { body: shot, contentType: 'image/png' });
    const pdf = await p.pdf({ path: this.testInfo.outputPath(`${name}-${this.lang}.pdf`), format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    await this.testInfo.attach(`${name} (${this.lang})`, { body: pdf, contentType: 'application/pdf' });
    await p.emulateMedia({ media: 'screen' });
    await expect(p.locator('header.top')).toBeVisible();
  }

  /** The end of a journey: no server or script error on the way, nothing logged as an error or missing word. */
  finish() {
    this.walk.done();
    expect(this.kith.problems()).toEqual([]);
  }

  async screenshotCourse(name: string) {
    await this.page.goto(this.courseUrl);
    await this.walk.check('course, all sessions held', 'full');
    const shot = await this.page.screenshot({ path: this.testInfo.outputPath(`${name}-${this.lang}.png`), fullPage: true });
    await this.testInfo.attach(`${name} (${this.lang})`, { body: shot, contentType: 'image/png' });
  }

  /**
   * Asserts that every page this clinician reached (other than the home page they land on) can be
   * reached from the course page in at most two clicks.
   */
  async assertReachableFromCourse() {
    const reach = await routesWithinTwoClicks(this.page, this.courseUrl);
    const missing = [...this.walk.routes].filter((r) => !reach.has(r));
    expect(missing, `pages not within two clicks of ${routeOf(this.courseUrl)}; reachable: ${[...reach].sort().join(' ')}`).toEqual([]);
  }
}
