/** The recipes view: fields that refuse bad values, groups, presets and parameter files, and re-running only what a change made stale. */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { SAMPLE_NIGHT, fitsFilesIn, waitForRows } from './helpers';
import { validateParamFile } from '../src/core/pipeline/params';
import { RECIPE_SCHEMAS } from '../src/core/pipeline/recipes';

const field = (page: Page, name: string) => page.getByLabel(name, { exact: true });

async function openRecipe(page: Page, recipe: string): Promise<void> {
  await page.getByRole('tab', { name: 'Recipes' }).click();
  await page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: new RegExp(`^${recipe}`) }).click();
  await expect(page.getByRole('heading', { name: recipe, exact: true })).toBeVisible();
}

/** The records of the `params` table, read straight from IndexedDB. */
function storedParams(page: Page): Promise<{ id: string; kind: string; name: string; scope?: string; values: unknown; active?: boolean }[]> {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('ccd-workbench');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('params').objectStore('params').getAll();
      req.onsuccess = () => { resolve(req.result); open.result.close(); };
      req.onerror = () => reject(req.error);
    };
  }));
}

function storedRuns(page: Page): Promise<{ key: string; batch: string; recipe: string; status: string }[]> {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('ccd-workbench');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('runs').objectStore('runs').getAll();
      req.onsuccess = () => {
        resolve(req.result.map((r: { key: string; batch: string; recipe: string; status: string }) => ({ key: r.key, batch: r.batch, recipe: r.recipe, status: r.status })));
        open.result.close();
      };
      req.onerror = () => reject(req.error);
    };
  }));
}

async function addSampleNight(page: Page): Promise<void> {
  await page.getByLabel('Add FITS files', { exact: true }).setInputFiles(fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
}

test('an invalid parameter refused at the field', async ({ page }) => {
  await page.goto('/');
  await openRecipe(page, 'reduceScience');
  const sigclip = field(page, 'reduceScience.flagCosmicRays.sigclip');
  await expect(sigclip).toHaveValue('4.5');

  await sigclip.fill('-1');
  await sigclip.press('Enter');
  await expect(sigclip).toHaveAttribute('aria-invalid', 'true');
  await expect(sigclip).toHaveAccessibleDescription(/sigclip must be >= 0\.1, got -1/);
  await expect(page.getByRole('alert').filter({ hasText: 'sigclip must be >= 0.1, got -1' })).toBeVisible();
  // The message follows the typing, and text that is not a number is refused too.
  await sigclip.fill('abc');
  await expect(page.getByRole('alert').filter({ hasText: "sigclip must be a finite number, got 'abc'" })).toBeVisible();
  await sigclip.press('Tab');
  await expect(sigclip).toHaveValue('abc');
  await expect(sigclip).toHaveAttribute('aria-invalid', 'true');

  // A whole number is wanted where the schema says integer; empty only where allowed.
  const niter = field(page, 'reduceScience.flagCosmicRays.niter');
  await niter.fill('2.5');
  await niter.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'niter must be a whole number, got 2.5' })).toBeVisible();
  await niter.fill('');
  await niter.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'niter must be set' })).toBeVisible();

  // Another recipe and back: the refused text and its reason are still there (never stored).
  await openRecipe(page, 'stackScience');
  await openRecipe(page, 'reduceScience');
  await expect(sigclip).toHaveValue('abc');
  await expect(sigclip).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: "sigclip must be a finite number, got 'abc'" })).toBeVisible();
  // Escape gives the field its value back.
  await sigclip.press('Escape');
  await expect(sigclip).toHaveValue('4.5');
  await expect(sigclip).not.toHaveAttribute('aria-invalid', 'true');

  // Nothing reached the store, and the plan builds.
  expect(await storedParams(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/recipes-invalid-1440.png', fullPage: true });
  await page.reload();
  await openRecipe(page, 'reduceScience');
  await expect(field(page, 'reduceScience.flagCosmicRays.sigclip')).toHaveValue('4.5');
  await expect(field(page, 'reduceScience.flagCosmicRays.sigclip')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(field(page, 'reduceScience.flagCosmicRays.niter')).toHaveValue('4');
  expect(await storedParams(page)).toEqual([]);

  // A bad value that got in some other way (an older version, another tool) is named at its field
  // and stops the plan, so no run starts with it; resetting it clears both.
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('ccd-workbench');
    open.onsuccess = () => {
      const tx = open.result.transaction('params', 'readwrite');
      tx.objectStore('params').put({ id: 'user', kind: 'user', name: 'my values', values: { reduceScience: { flagCosmicRays: { sigclip: -1 } } }, updatedAt: 1 });
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await addSampleNight(page);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByRole('button', { name: 'Reduce all' })).toBeDisabled();
  await openRecipe(page, 'reduceScience');
  await expect(field(page, 'reduceScience.flagCosmicRays.sigclip')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'Your stored value -1 is refused' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'The plan cannot be built: reduceScience.flagCosmicRays.sigclip must be >= 0.1' })).toBeVisible();
  await page.getByRole('button', { name: 'Reset reduceScience.flagCosmicRays.sigclip', exact: true }).click();
  await expect(field(page, 'reduceScience.flagCosmicRays.sigclip')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'The plan cannot be built' })).toHaveCount(0);
  expect(await storedParams(page)).toEqual([]);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByRole('button', { name: 'Reduce all' })).toBeEnabled();
});

/** A value of the user's (unscoped) parameters as IndexedDB holds it. */
function storedUserValue(page: Page, recipe: string, step: string, name: string): Promise<unknown> {
  return page.evaluate(([r, st, n]) => new Promise((ok, no) => {
    const open = indexedDB.open('ccd-workbench');
    open.onerror = () => no(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('params').objectStore('params').getAll();
      get.onsuccess = () => {
        const user = (get.result as { kind: string; scope?: string; values: Record<string, Record<string, Record<string, unknown>>> }[]).find((x) => x.kind === 'user' && !x.scope);
        ok(user?.values[r]?.[st]?.[n]);
        open.result.close();
      };
    };
  }), [recipe, step, name]);
}

test('values are kept, highlighted, and reset per parameter, per step and per recipe', async ({ page }) => {
  await page.goto('/');
  await openRecipe(page, 'reduceScience');
  const sigclip = field(page, 'reduceScience.flagCosmicRays.sigclip');
  const row = (name: string) => page.locator('tr.param-row').filter({ has: field(page, name) });

  await sigclip.fill('5');
  await sigclip.press('Enter');
  await expect(row('reduceScience.flagCosmicRays.sigclip')).toHaveClass(/set-here/);
  await expect(row('reduceScience.flagCosmicRays.sigclip').locator('.p-effective')).toContainText('5 user');
  await field(page, 'reduceScience.flagCosmicRays.replace').uncheck();
  await field(page, 'reduceScience.overscanCorrect.function').selectOption('poly');
  // A nullable field left empty means what its doc says ("not flagged", "from the header"); a number there is the user's.
  await expect(row('reduceScience.addDQ.nonLinear').locator('.p-default')).toHaveText('not flagged');
  await expect(row('reduceScience.addDQ.nonLinear').locator('.p-effective')).toContainText('not flagged');
  await expect(field(page, 'reduceScience.ADUToElectrons.gain')).toHaveAttribute('placeholder', 'GAIN/EGAIN from the header');
  await field(page, 'reduceScience.flatCorrect.minValue').fill('0.1');
  await field(page, 'reduceScience.flatCorrect.minValue').press('Enter');
  await expect(page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: /^reduceScience/ })).toContainText('4 set');
  // The view shows a value at once and stores it a moment later: reload once it is stored.
  await expect.poll(() => storedUserValue(page, 'reduceScience', 'flatCorrect', 'minValue')).toBe(0.1);

  await page.reload();
  await openRecipe(page, 'reduceScience');
  await expect(sigclip).toHaveValue('5');
  await expect(field(page, 'reduceScience.flagCosmicRays.replace')).not.toBeChecked();
  await expect(field(page, 'reduceScience.overscanCorrect.function')).toHaveValue('poly');
  await expect(field(page, 'reduceScience.flatCorrect.minValue')).toHaveValue('0.1');
  await page.screenshot({ path: 'test-results/recipes-values-1440.png', fullPage: true });

  // Per parameter: back to the default, the highlight goes.
  await page.getByRole('button', { name: 'Reset reduceScience.flagCosmicRays.sigclip', exact: true }).click();
  await expect(sigclip).toHaveValue('4.5');
  await expect(row('reduceScience.flagCosmicRays.sigclip')).not.toHaveClass(/set-here/);
  await expect(field(page, 'reduceScience.flagCosmicRays.replace')).not.toBeChecked();
  // Per step.
  await page.getByRole('button', { name: 'Reset step reduceScience.flagCosmicRays', exact: true }).click();
  await expect(field(page, 'reduceScience.flagCosmicRays.replace')).toBeChecked();
  await expect(field(page, 'reduceScience.overscanCorrect.function')).toHaveValue('poly');
  // Per recipe.
  await page.getByRole('button', { name: 'Reset recipe' }).click();
  await expect(field(page, 'reduceScience.overscanCorrect.function')).toHaveValue('auto');
  await expect(field(page, 'reduceScience.flatCorrect.minValue')).toHaveValue('');
  expect(await storedParams(page)).toEqual([]);
});

test('a parameter change that marks products stale and re-runs only those', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/');
  await addSampleNight(page);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 45_000 });
  const before = await storedRuns(page);
  expect(before.every((r) => r.status === 'done')).toBe(true);

  await openRecipe(page, 'stackScience');
  await expect(page.getByRole('region', { name: 'Stale products' })).toHaveCount(0);
  await field(page, 'stackScience.resample.kernel').selectOption('bicubic');
  const stale = page.getByRole('region', { name: 'Stale products' });
  await expect(stale).toContainText('2 products are stale');
  await expect(page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: /^stackScience/ })).toContainText('2 stale');
  await field(page, 'stackScience.resample.kernel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/recipes-1440.png', fullPage: true });
  await page.setViewportSize({ width: 1024, height: 700 });
  await field(page, 'stackScience.resample.kernel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/recipes-1024.png', fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });

  // Changing it back makes them current again; changing it once more makes them stale again.
  await field(page, 'stackScience.resample.kernel').selectOption('lanczos3');
  await expect(stale).toHaveCount(0);
  await field(page, 'stackScience.resample.kernel').selectOption('bicubic');
  await expect(stale).toContainText('2 products are stale');

  await stale.getByRole('button', { name: 'Re-run the 2 stale runs' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete: 2 runs done.' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('products are stale')).toHaveCount(0);
  // A new change after it: the bar says what is stale now, not that the last re-run completed.
  await field(page, 'stackScience.resample.kernel').selectOption('bilinear');
  await expect(stale).toContainText('2 products are stale');
  await expect(stale.getByRole('status').filter({ hasText: 'Reduction complete' })).toHaveCount(0);
  await field(page, 'stackScience.resample.kernel').selectOption('bicubic');
  await expect(page.getByText('products are stale')).toHaveCount(0);

  // Only the two stacks ran again.
  const after = await storedRuns(page);
  const fresh = after.filter((r) => !before.some((b) => b.batch === r.batch));
  expect(fresh.map((r) => r.recipe)).toEqual(['stackScience', 'stackScience']);
  expect(fresh.every((r) => r.status === 'done')).toBe(true);

  await page.getByRole('tab', { name: 'Runs' }).click();
  const stateCells = page.locator('table[aria-label="Runs of the plan"] tbody tr .c-state .state');
  await expect(stateCells).toHaveCount(before.length);
  const states = await stateCells.allTextContents();
  expect(states.every((s) => s === 'done' || s === 'up to date')).toBe(true);
});

test('values for one filter apply where the engine allows it', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto('/');
  await addSampleNight(page);
  await openRecipe(page, 'reduceScience');
  const picker = page.getByRole('combobox', { name: 'Values for' });
  const filters = await picker.locator('optgroup[label="One filter"] option').allTextContents();
  expect(filters.length).toBeGreaterThan(0);
  const groupLabel = filters[0];
  await picker.selectOption({ label: groupLabel });
  await expect(page.locator('.reach')).toContainText(/apply to \d+ of the \d+ reduceScience runs/);
  await page.screenshot({ path: 'test-results/recipes-group-1024.png', fullPage: true });
  await field(page, 'reduceScience.flagCosmicRays.sigclip').fill('6');
  await field(page, 'reduceScience.flagCosmicRays.sigclip').press('Enter');
  await expect(page.locator('tr.param-row').filter({ has: field(page, 'reduceScience.flagCosmicRays.sigclip') }).locator('.p-effective')).toContainText('group');
  // A filter group never reaches a master bias: the nav says so.
  await expect(page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: /^makeMasterBias/ })).toContainText('no run');

  const stored = await storedParams(page);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ kind: 'user', scope: expect.stringMatching(/^filter == '/), values: { reduceScience: { flagCosmicRays: { sigclip: 6 } } } });

  // Back on all frames the value is the default; an expression is checked before it becomes a group.
  await picker.selectOption({ index: 0 });
  await expect(field(page, 'reduceScience.flagCosmicRays.sigclip')).toHaveValue('4.5');
  await picker.selectOption({ label: 'Group by expression…' });
  const expr = page.getByLabel('Group expression', { exact: true });
  await expr.fill('filter = = R');
  await page.getByRole('button', { name: 'Edit this group' }).click();
  await expect(expr).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'column' })).toBeVisible();
  await expr.fill("object == 'M67' and exptime > 10");
  await page.getByRole('button', { name: 'Edit this group' }).click();
  await expect(picker).toHaveValue("object == 'M67' and exptime > 10");
});

test('a preset saved, reloaded and exported', async ({ page }) => {
  await page.goto('/');
  await openRecipe(page, 'reduceScience');
  await field(page, 'reduceScience.flagCosmicRays.sigclip').fill('5');
  await field(page, 'reduceScience.flagCosmicRays.sigclip').press('Enter');
  await openRecipe(page, 'stackScience');
  await field(page, 'stackScience.resample.kernel').selectOption('bicubic');
  await page.getByLabel(/as$/).fill('windy night');
  await page.getByRole('button', { name: 'Save preset' }).click();
  const preset = page.getByRole('listitem', { name: 'Preset windy night' });
  await expect(preset).toContainText('reduceScience.flagCosmicRays.sigclip = 5');

  await page.reload();
  await openRecipe(page, 'stackScience');
  await expect(preset).toBeVisible();
  await expect(preset).toContainText('reduceScience.flagCosmicRays.sigclip = 5');
  await expect(preset).toContainText('stackScience.resample.kernel = bicubic');
  await preset.getByRole('checkbox', { name: 'Preset windy night active' }).check();
  await expect(preset).toHaveClass(/active/);
  // The same name again replaces it, and says so.
  await page.getByLabel(/as$/).fill('windy night');
  await page.getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Preset windy night replaced (2 values for all frames).' })).toBeVisible();
  await expect(preset).toHaveClass(/active/);
  await page.screenshot({ path: 'test-results/recipes-presets-1440.png', fullPage: true });

  // The preset's file, and the current values' file, are what `npm run reduce -- --params` accepts.
  const download = page.waitForEvent('download');
  await preset.getByRole('button', { name: 'Export preset windy night' }).click();
  const presetFile = JSON.parse(readFileSync((await (await download).path())!, 'utf8'));
  expect(validateParamFile(presetFile.recipes, RECIPE_SCHEMAS)).toEqual([]);
  expect(presetFile.recipes).toEqual({ reduceScience: { flagCosmicRays: { sigclip: 5 } }, stackScience: { resample: { kernel: 'bicubic' } } });
  const download2 = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const valuesFile = JSON.parse(readFileSync((await (await download2).path())!, 'utf8'));
  expect(validateParamFile(valuesFile.recipes, RECIPE_SCHEMAS)).toEqual([]);
  expect(valuesFile.recipes.stackScience).toEqual({ resample: { kernel: 'bicubic' } });

  // A bad file: every problem listed, nothing changed.
  const storedBefore = await storedParams(page);
  const bad = { recipes: { reduceScience: { flagCosmicRays: { sigclip: -1, sigmaclip: 3 } }, reduceSciense: {} } };
  await page.getByLabel('Import parameters from JSON').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  const alert = page.getByRole('alert').filter({ hasText: 'bad.json was not imported; nothing was changed.' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('sigclip must be >= 0.1, got -1');
  await expect(alert).toContainText("has no parameter 'sigmaclip'");
  await expect(alert).toContainText("unknown recipe 'reduceSciense'");
  await page.screenshot({ path: 'test-results/recipes-import-error-1440.png', fullPage: true });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: 'test-results/recipes-import-error-1024.png', fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByLabel('Import parameters from JSON').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ "reduceScience": ') });
  await expect(page.getByRole('alert').filter({ hasText: 'broken.json: not JSON' })).toBeVisible();
  expect(await storedParams(page)).toEqual(storedBefore);
  await expect(field(page, 'stackScience.resample.kernel')).toHaveValue('bicubic');

  // A good file (the command line's bare shape) replaces the values of the recipes it names.
  await page.getByLabel('Import parameters from JSON').setInputFiles({
    name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ stackScience: { resample: { kernel: 'bilinear' } } })),
  });
  await expect(page.getByRole('status').filter({ hasText: 'good.json: 1 value imported for stackScience' })).toBeVisible();
  await expect(field(page, 'stackScience.resample.kernel')).toHaveValue('bilinear');

  // A file that names no recipe changes nothing, and says so; a misspelt key refuses the file.
  const storedGood = await storedParams(page);
  await page.getByLabel('Import parameters from JSON').setInputFiles({ name: 'empty.json', mimeType: 'application/json', buffer: Buffer.from('{}') });
  await expect(page.getByRole('status').filter({ hasText: 'empty.json names no recipe: nothing was changed.' })).toBeVisible();
  await page.getByLabel('Import parameters from JSON').setInputFiles({
    name: 'typo.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ recipes: {}, grups: [{ scope: "filter == 'R'", recipes: {} }] })),
  });
  await expect(page.getByRole('alert').filter({ hasText: 'typo.json was not imported; nothing was changed.' })).toContainText('unknown key "grups"');
  expect(await storedParams(page)).toEqual(storedGood);
  await expect(field(page, 'stackScience.resample.kernel')).toHaveValue('bilinear');
});
