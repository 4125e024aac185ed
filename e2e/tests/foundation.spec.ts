// Journey 1–3 of the product: install, set up the clinic, invite a clinician who registers a client —
// in English and in Spanish, with an accessibility check of each page on the way.
import { test, expect, startKith, freshCode, Kith, noSeriousAxeViolations } from './support';

const words = {
  en: { setup: 'Set up Kith', enrol: 'Set up your second factor', members: 'People', clients: 'Clients', register: 'Register' },
  es: { setup: 'Configurar Kith', enrol: 'Configure su segundo factor', members: 'Personas', clients: 'Consultantes', register: 'Registrar' },
};

for (const lang of ['en', 'es'] as const) {
  test.describe(`first start, in ${lang}`, () => {
    let kith: Kith;
    test.beforeAll(async ({ kithDatabase }) => {
      kith = await startKith(kithDatabase, false);
    });
    test.afterAll(async () => {
      await kith?.stop();
    });

    test('set up a clinic, invite a clinician, register a client', async ({ page, browser }) => {
      const w = words[lang];
      expect(kith.setupLink).toBeTruthy();
      await page.goto(kith.setupLink!);
      if (lang === 'es') {
        await page.locator('form[action="/language"] button').click();
      }
      await expect(page.locator('h1')).toHaveText(w.setup);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await noSeriousAxeViolations(page, 'setup');
      await page.locator('#clinic_name').fill('Lakeside Therapy Centre');
      await page.locator('#display_name').fill('Noor Haddad');
      await page.locator('#email').fill('noor@lakeside.example');
      await page.locator('#password').fill('slow tide over granite bay');
      await page.locator('form button.primary').click();
      await expect(page).toHaveURL(/\/login\?done=1$/);

      // Sign in as the administrator; a second factor must be set up before anything else.
      await page.locator('#email').fill('noor@lakeside.example');
      await page.locator('#password').fill('slow tide over granite bay');
      await page.locator('form[action="/login"] button').click();
      await expect(page).toHaveURL(/\/mfa\/enrol$/);
      await expect(page.locator('h1')).toHaveText(w.enrol);
      // A GET never starts an enrolment: the person asks for a new secret with a button.
      await page.locator('form[action="/account/second-factor/reset"] button').click();
      await expect(page.locator('.qr svg')).toBeVisible();
      await noSeriousAxeViolations(page, 'enrol');
      const adminSecret = (await page.locator('[data-testid=totp-secret]').innerText()).trim();
      await page.locator('#code').fill(await freshCode(adminSecret));
      await page.locator('form[action="/mfa/enrol"] button').click();
      await expect(page.locator('[data-testid=recovery-codes] li')).toHaveCount(10);
      await page.locator('a.button.primary').click();
      await expect(page).toHaveURL(/\/admin\/members$/);
      await expect(page.locator('h1')).toHaveText(w.members);
      await noSeriousAxeViolations(page, 'members');

      // Invite a clinician.
      await page.locator('#invite-email').fill('ravi@lakeside.example');
      await page.locator('#invite-role').selectOption('clinician');
      await page.locator('form[action="/admin/invitations"] button').click();
      const link = (await page.locator('[data-testid=invitation-link]').innerText()).trim();
      expect(link).toContain('/invitation/');

      // The clinician, in another browser, accepts and signs in.
      const other = await browser.newContext();
      const p2 = await other.newPage();
      await p2.goto(link);
      if (lang === 'es') {
        await p2.locator('form[action="/language"] button').click();
      }
      await noSeriousAxeViolations(p2, 'invitation');
      await p2.locator('#display_name').fill('Ravi Menon');
      await p2.locator('#password').fill('north wind paper boats');
      await p2.locator('form button.primary').click();
      await expect(p2).toHaveURL(/\/login\?done=1$/);
      await p2.locator('#email').fill('ravi@lakeside.example');
      await p2.locator('#password').fill('north wind paper boats');
      await p2.locator('form[action="/login"] button').click();
      await expect(p2).toHaveURL(/\/mfa\/enrol$/);
      await p2.locator('form[action="/account/second-factor/reset"] button').click();
      const secret = (await p2.locator('[data-testid=totp-secret]').innerText()).trim();
      await p2.locator('#code').fill(await freshCode(secret));
      await p2.locator('form[action="/mfa/enrol"] button').click();
      await p2.locator('a.button.primary').click();
      await expect(p2.locator('h1')).toHaveText(w.clients);
      await noSeriousAxeViolations(p2, 'clinician home');

      // Register a client under a pseudonym.
      await p2.locator('#display_name').fill('Client L.');
      await p2.locator('#date_of_birth').fill('1987-06-02');
      await p2.locator('form[action="/clients"] button.primary').click();
      await expect(p2).toHaveURL(/\/clients\/[0-9a-f-]{36}$/);
      await expect(p2.locator('h1')).toHaveText('Client L.');
      await noSeriousAxeViolations(p2, 'client');
      await p2.locator('a[href="/"]').first().click();
      await expect(p2.locator('[data-testid=client-list]')).toContainText('Client L.');
      await other.close();

      // Back to the administrator: the clinician is listed with a second factor.
      await page.reload();
      await expect(page.locator('[data-testid=members]')).toContainText('Ravi Menon');
    });
  });
}
